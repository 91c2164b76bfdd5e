"""The language of an imported post or page: the export's, or the one its text is written in.

A WordPress export names the blog's language (``<language>fr-FR</language>``), but a
blog often mixes languages: a Catalan post on a French blog. Each post's and page's
text (not its HTML: the same detector as comments, ``detect``) is detected among the
site's languages and the common European ones; a text too short or too unclear to
judge takes the export's language. The entry gets ``lang:`` where that differs from
the site's default, so a Catalan post is a Catalan page with the Catalan interface.

The file keeps its name (``posts/<slug>.md`` with ``lang: ca``, not ``<slug>.ca.md``):
the path is what the manifest, the comment archive and the site's links know the
entry by, so a re-import must not move it when a detection changes.

A language the site does not list is never written (the build would refuse it): the
entry keeps the default, and the report gives the exact line that adds the language
to ``museumsite.yaml``; imported again after that, unedited entries get their ``lang:``.
"""

from __future__ import annotations

import re
from collections import Counter

import markdown

from museumsite.bounds import TooDeep, markdown_bounds
from museumsite.config import SiteConfig
from museumsite.errors import counted
from museumsite.lang.detect import DEFAULT_CANDIDATES, DEFAULT_THRESHOLD, detect_language, known_languages
from museumsite.lang.i18n import language_name
from museumsite.markup.convert import plain_text

# Fewer letters than this is too little to tell a post's language from: the export's is taken.
MIN_LETTERS = 40


def base_code(tag: str) -> str:
    """'fr' of 'fr-FR', 'ca' of 'ca_ES'; '' for nothing usable."""
    code = re.split(r"[-_]", tag.strip(), maxsplit=1)[0].lower()
    return code if re.fullmatch(r"[a-z]{2,3}", code) else ""


class EntryLanguages:
    """Decides each entry's language and remembers the languages the site lacks, for the report."""

    def __init__(self, config: SiteConfig, export_language: str):
        self.config = config
        self.export = base_code(export_language)
        known = known_languages()
        wanted = dict.fromkeys((*config.all_languages, *([self.export] if self.export else []), *DEFAULT_CANDIDATES))
        self.candidates = tuple(lang for lang in wanted if lang in known)
        self.unlisted: Counter[str] = Counter()

    def decide(self, title: str, body_md: str) -> str:
        """The language to give the entry: one of the site's, the default when unsure or unlisted."""
        try:
            text = plain_text(markdown.markdown(body_md, extensions=markdown_bounds()), 1 << 30)
        except (TooDeep, RecursionError):  # read as it is: the words are there, between the markers
            text = body_md
        letters = sum(ch.isalpha() for ch in text)
        found = detect_language(f"{title}. {text}", self.candidates, DEFAULT_THRESHOLD) \
            if letters >= MIN_LETTERS or not self.export else "und"
        if found == "und":
            found = self.export or self.config.language
        if found not in self.config.all_languages:
            self.unlisted[found] += 1
            return self.config.language
        return found

    def warnings(self) -> list[str]:
        """For each language found that the site does not list: what was done, and the line to add."""
        config = self.config
        out = []
        for lang, number in sorted(self.unlisted.items()):
            if config.language_settings:
                line = f"'{lang}: {{name: {language_name(lang, lang)}}}' under 'languages:'"
            else:
                line = f"'languages: [{', '.join((*config.languages, lang))}]'"
            out.append(f"{counted(number, 'post or page', 'posts or pages')} in {language_name(lang, 'en')} ({lang}), "
                       f"which museumsite.yaml does not list: imported as {language_name(config.language, 'en')}; "
                       f"to publish them in {language_name(lang, 'en')}, write {line} in museumsite.yaml "
                       "and import again")
        return out
