"""Languages for readers: interface strings, dates and language names per page language.

Content is translated by authors (``post.fr.md``); the words the theme itself
prints ("Speakers", "Read more") come from the small catalogue below, falling back
to English for a language it lacks. Dates and times go through Babel so that a
French page says "16 octobre 2009" and an English one "October 16, 2009".
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from babel import Locale
from babel.dates import format_date, format_datetime, format_time

# English is the key; only the strings whose translation differs need listing.
CATALOGUE: dict[str, dict[str, str]] = {
    "fr": {
        "Skip to content": "Aller au contenu", "Home": "Accueil", "Posts": "Billets", "Talks": "Interventions",
        "Speakers": "Intervenants", "Events": "Événements", "Tags": "Mots-clés", "Archive": "Archives",
        "Read more": "Lire la suite", "Published": "Publié le", "Updated": "Mis à jour le", "By": "Par",
        "Tagged": "Mots-clés", "Also in": "Aussi en", "Contents": "Sommaire", "Slides": "Supports",
        "Video": "Vidéo", "Room": "Salle", "Time": "Horaire", "Event": "Événement", "Schedule": "Programme",
        "Talk": "Intervention", "Speaker": "Intervenant", "talks": "interventions", "talk": "intervention",
        "Previous page": "Page précédente", "Next page": "Page suivante", "Page": "Page", "of": "sur",
        "Subscribe": "S'abonner", "Main navigation": "Navigation principale", "Pagination": "Pagination",
        "Given in": "Donnée en", "Page not found": "Page introuvable", "Latest posts": "Derniers billets",
        "Language": "Langue", "Posts tagged": "Billets avec le mot-clé", "Posts in": "Billets de",
        "All posts": "Tous les billets", "Talks by": "Interventions de", "Venue": "Lieu",
        "posts": "billets", "post": "billet", "Footer": "Pied de page",
        "Link to this section": "Lien vers cette section", "Back to the text": "Retour au texte",
    },
}


def translate(text: str, lang: str) -> str:
    return CATALOGUE.get(lang.split("-")[0], {}).get(text, text)


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang.replace("-", "_"))


def language_name(code: str, in_lang: str | None = None) -> str:
    """'fr' -> 'français' (in French by default: how readers look for their language)."""
    name = _locale(code).get_display_name(_locale(in_lang or code)) or code
    return name[:1].upper() + name[1:]


def format_day(value: dt.date | dt.datetime, lang: str, style: str = "long") -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, format=style, locale=_locale(lang))


def format_clock(value: dt.datetime, lang: str) -> str:
    """Local time of the event, as the event's own time zone reads it."""
    return format_time(value, format="short", tzinfo=value.tzinfo, locale=_locale(lang))


def format_moment(value: dt.datetime, lang: str) -> str:
    return format_datetime(value, format="medium", tzinfo=value.tzinfo, locale=_locale(lang))


def plural(count: int, singular: str, plural_: str, lang: str) -> str:
    """'1 talk', '3 talks'; Babel's plural rules decide (French says '0 intervention')."""
    word = singular if _locale(lang).plural_form(count) == "one" else plural_
    return f"{count} {translate(word, lang)}"
