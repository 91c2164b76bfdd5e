"""What kind of thing a schedule link points at: slides of some kind, a video, or neither.

Schedules (frab ``<links>``/``<attachments>``, pretalx ``links``/``attachments``)
mix slide decks, recordings, project homepages and feedback forms in one list. The
importer sorts them by URL alone, so the result does not depend on how a schedule
happened to title a link: a slide kind (PDF, Slideshare, Speaker Deck, Google
Slides, a Zenodo or Figshare DOI) goes to ``slides``, a video kind (YouTube, Vimeo,
PeerTube, media.ccc.de, a direct mp4/webm file) may become ``video``, and an HTML
page counts as slides only when its title or attachment type says so.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

SLIDE_KINDS = ("pdf", "slideshare", "speakerdeck", "google-slides", "doi", "html")
VIDEO_KINDS = ("youtube", "vimeo", "peertube", "media.ccc.de", "file")
_SLIDE_WORDS = re.compile(r"slide|folien|présentation|presentation|diapo|deck", re.IGNORECASE)
_DOI_PREFIXES = ("10.5281/zenodo", "10.6084/m9.figshare")


def _host_path(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    return host, parts.path


def slide_kind(url: str, title: str = "", hint: str = "") -> str | None:
    """The kind of slides at ``url``, or None when it is not slides.

    ``title`` and ``hint`` (an attachment's ``type``) only decide whether an HTML
    page is slides; every other kind is recognised from the URL.
    """
    host, path = _host_path(url)
    lower = path.lower()
    if lower.endswith(".pdf"):
        return "pdf"
    if host.endswith("slideshare.net"):
        return "slideshare"
    if host == "speakerdeck.com":
        return "speakerdeck"
    if host == "docs.google.com" and lower.startswith("/presentation/"):
        return "google-slides"
    if host in ("zenodo.org", "figshare.com") or host.endswith(".figshare.com") or (
            host in ("doi.org", "dx.doi.org") and lower.lstrip("/").startswith(_DOI_PREFIXES)):
        return "doi"
    if video_kind(url):
        return None
    if _SLIDE_WORDS.search(title) or _SLIDE_WORDS.search(hint):
        return "html"
    return None


def video_kind(url: str) -> str | None:
    """The kind of recording at ``url`` (a player page or a file), or None."""
    host, path = _host_path(url)
    lower = path.lower()
    if lower.endswith((".mp4", ".webm")):
        return "file"
    if host in ("youtube.com", "m.youtube.com", "youtube-nocookie.com") and (
            lower.startswith(("/watch", "/embed/", "/live/", "/shorts/"))) or host == "youtu.be":
        return "youtube"
    if host in ("vimeo.com", "player.vimeo.com") and re.search(r"/\d+", lower):
        return "vimeo"
    if host == "media.ccc.de" and lower.startswith("/v/"):
        return "media.ccc.de"
    if re.match(r"^/(w|videos/watch|videos/embed)/[A-Za-z0-9-]+", path):
        return "peertube"
    return None


def video_rank(url: str) -> int:
    """Which recording to keep when a talk lists several: players first, then mp4, then webm."""
    kind = video_kind(url)
    if kind is None:
        return 9
    if kind != "file":
        return 0
    return 1 if urlsplit(url).path.lower().endswith(".mp4") else 2
