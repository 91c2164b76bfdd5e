"""What kind of thing a schedule link points at: slides of some kind, a video, or neither.

Schedules (frab ``<links>``/``<attachments>``, pretalx ``links``/``attachments``)
mix slide decks, recordings, project homepages and feedback forms in one list. The
importer sorts them by URL alone, with the same rules the theme uses to label them
(``museumsite.content.media``), so the result does not depend on how a schedule
happened to title a link: a slide kind (PDF, Slideshare, Speaker Deck, Google
Slides, a Zenodo or Figshare DOI) goes to ``slides``, a video kind (YouTube, Vimeo,
PeerTube, media.ccc.de, a direct mp4/webm file) may become ``video``, and an HTML
page counts as slides only when its title or attachment type says so. Every other
link is kept too, typed by what the schedule says it is (``link_kind``: feedback,
the talk's page, a paper, a recording on a host we do not know...). Sorting
a link as a video trusts nothing: the build frames it only from a host the site
trusts and with an id that is an id (``media.video_of``); any other stays a link.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from museumsite.content import media

SLIDE_KINDS = ("pdf", "slideshare", "speakerdeck", "google-slides", "doi", "html")
VIDEO_KINDS = ("youtube", "vimeo", "peertube", "media.ccc.de", "file")
_SLIDE_WORDS = re.compile(r"slide|folien|présentation|presentation|diapo|deck", re.IGNORECASE)
_VIDEO_WORDS = re.compile(r"video|vidéo|vídeo|recording|enregistrement|aufzeichnung|gravació|grabación|stream",
                          re.IGNORECASE)
# What a link's type says it is (frab's and pretalx's types, our readers' hints), as media.LINK_KINDS names it.
_HINT_KINDS = {"recording": "video", "media": "video", "video": "video", "schedule": "schedule", "origin": "origin",
               "feedback": "feedback", "paper": "paper", "book": "paper", "article": "article", "blog": "blog",
               "web": "web", "related": "related"}
# The schedule's word for the talk's own pages: taken as said, whatever the URL looks like.
PAGE_KINDS = ("schedule", "origin", "feedback")
# The theme's kinds, as the importer names them; a DOI elsewhere than Zenodo or Figshare is no slides.
_FROM_THEME = {"pdf": "pdf", "slideshare": "slideshare", "speakerdeck": "speakerdeck", "google": "google-slides",
               "zenodo": "doi", "figshare": "doi"}


def slide_kind(url: str, title: str = "", hint: str = "") -> str | None:
    """The kind of slides at ``url``, or None when it is not slides.

    ``title`` and ``hint`` (an attachment's ``type``) only decide whether an HTML
    page is slides; every other kind is recognised from the URL.
    """
    kind = _FROM_THEME.get(media.slide_kind(url))
    if kind is not None:
        return kind
    if video_kind(url):
        return None
    if _SLIDE_WORDS.search(title) or _SLIDE_WORDS.search(hint):
        return "html"
    return None


def link_kind(title: str = "", hint: str = "") -> str:
    """The kind (``media.LINK_KINDS``) of a link that is neither slides nor a known player, or "".

    Told by the link's type (``FEEDBACK``, ``paper``, a recording) or, for a video on a
    host the media rules do not know, by its title ("Video", "Recording").
    """
    kind = _HINT_KINDS.get(hint.strip().lower())
    if kind:
        return kind
    return "video" if _VIDEO_WORDS.search(title) else ""


def video_kind(url: str) -> str | None:
    """The kind of recording at ``url`` (a player page or a file), or None."""
    video = media.video_of(url)
    if video.file_type:
        return "file"
    return video.provider.lower() or None


def video_rank(url: str) -> int:
    """Which recording to keep when a talk lists several: players first, then mp4, then webm."""
    kind = video_kind(url)
    if kind is None:
        return 9
    if kind != "file":
        return 0
    return 1 if urlsplit(url).path.lower().endswith(".mp4") else 2
