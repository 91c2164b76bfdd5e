"""What a schedule link points at: slides, a video, or neither (then what kind of link it is).

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

_SLIDE_WORDS = re.compile(r"slide|folien|présentation|presentation|diapo|deck", re.IGNORECASE)
_VIDEO_WORDS = re.compile(r"video|vidéo|vídeo|recording|enregistrement|aufzeichnung|gravació|grabación|stream",
                          re.IGNORECASE)
# What a link's type says it is (frab's and pretalx's types, our readers' hints), as media.LINK_KINDS names it.
_HINT_KINDS = {"recording": "video", "media": "video", "video": "video", "schedule": "schedule", "origin": "origin",
               "feedback": "feedback", "paper": "paper", "book": "paper", "article": "article", "blog": "blog",
               "web": "web", "related": "related"}
# The schedule's word for the talk's own pages: taken as said, whatever the URL looks like.
PAGE_KINDS = ("schedule", "origin", "feedback")
# The slide kinds (``media.SLIDE_KINDS``) a URL alone proves to be slides; a DOI elsewhere than Zenodo
# or Figshare is no slides, and an HTML page or another file is slides only when the schedule says so.
_DECKS = frozenset({"pdf", "slideshare", "speakerdeck", "google", "zenodo", "figshare"})


def is_slides(url: str, title: str = "", hint: str = "") -> bool:
    """Whether a schedule's link is slides (the theme labels it with ``media.slide_kind``).

    ``title`` and ``hint`` (an attachment's ``type``) only decide for an HTML page or
    another file; a deck host, a PDF or a Zenodo or Figshare DOI is recognised from the URL.
    """
    if media.slide_kind(url) in _DECKS:
        return True
    return not video_kind(url) and bool(_SLIDE_WORDS.search(title) or _SLIDE_WORDS.search(hint))


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
