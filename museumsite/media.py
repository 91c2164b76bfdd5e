"""What a slide or video link is, from its URL: a label for readers, an embed for players.

Pure functions over URLs. A slide link is typed (PDF, Slideshare, Speaker Deck, Google
Slides, a DOI on Zenodo or Figshare, HTML slides) so the talk page can say what the
reader will get before following it. A video link gets the address of its player
(YouTube's privacy-enhanced host, Vimeo, PeerTube, media.ccc.de) or, for a direct
file, a ``<video>``; the page loads neither until the reader asks.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from museumsite.i18n import N_

SLIDE_KINDS = {
    "pdf": N_("PDF"), "slideshare": N_("Slideshare"), "speakerdeck": N_("Speaker Deck"),
    "google": N_("Google Slides"), "zenodo": N_("Zenodo (DOI)"), "figshare": N_("Figshare (DOI)"),
    "doi": N_("DOI"), "html": N_("HTML slides"), "file": N_("File"),
}
VIDEO_FILES = {".mp4": "video/mp4", ".webm": "video/webm", ".m4v": "video/mp4", ".ogv": "video/ogg"}


def slide_kind(url: str) -> str:
    """One of SLIDE_KINDS' keys."""
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.lower()
    if path.endswith(".pdf"):
        return "pdf"
    if host.endswith("slideshare.net"):
        return "slideshare"
    if host == "speakerdeck.com":
        return "speakerdeck"
    if host == "docs.google.com" and path.startswith("/presentation"):
        return "google"
    if host == "zenodo.org" or (host in ("doi.org", "dx.doi.org") and "zenodo" in path):
        return "zenodo"
    if host.endswith("figshare.com") or (host in ("doi.org", "dx.doi.org") and "figshare" in path):
        return "figshare"
    if host in ("doi.org", "dx.doi.org"):
        return "doi"
    extension = posixpath.splitext(path)[1]
    if extension in ("", ".html", ".htm") or path.endswith("/"):
        return "html"
    return "file"


@dataclass(frozen=True, slots=True)
class Video:
    """How to show a recording: a player page to frame, or a file for ``<video>``."""

    url: str  # what the plain link points to
    provider: str  # YouTube, Vimeo, PeerTube, media.ccc.de, or "" for a file
    embed: str = ""  # the player's address, for an iframe
    file_type: str = ""  # the MIME type of a direct file


def video_of(url: str) -> Video:
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.").removeprefix("m.")
    path = parts.path
    extension = posixpath.splitext(path.lower())[1]
    if extension in VIDEO_FILES:
        return Video(url=url, provider="", file_type=VIDEO_FILES[extension])
    if host in ("youtube.com", "youtube-nocookie.com"):
        ident = parse_qs(parts.query).get("v", [""])[0] or _after(path, ("/embed/", "/shorts/", "/live/"))
        if ident:
            return Video(url=url, provider="YouTube", embed=f"https://www.youtube-nocookie.com/embed/{ident}")
    if host == "youtu.be" and path.strip("/"):
        return Video(url=url, provider="YouTube",
                     embed=f"https://www.youtube-nocookie.com/embed/{path.strip('/').split('/')[0]}")
    vimeo = re.fullmatch(r"/(?:video/)?(\d+)/?", path)
    if host in ("vimeo.com", "player.vimeo.com") and vimeo:
        return Video(url=url, provider="Vimeo", embed=f"https://player.vimeo.com/video/{vimeo.group(1)}?dnt=1")
    if host == "media.ccc.de" and path.startswith("/v/"):
        slug = path.split("/")[2]
        return Video(url=url, provider="media.ccc.de", embed=f"https://media.ccc.de/v/{slug}/oembed")
    peertube = re.fullmatch(r"/(?:w|videos/watch|videos/embed)/([A-Za-z0-9-]+)/?", path)
    if peertube and parts.scheme == "https":
        return Video(url=url, provider="PeerTube",
                     embed=f"https://{parts.netloc}/videos/embed/{peertube.group(1)}")
    return Video(url=url, provider="")


def _after(path: str, markers: tuple[str, ...]) -> str:
    for marker in markers:
        if marker in path:
            return path.split(marker, 1)[1].split("/")[0]
    return ""


def human_size(size: int, lang: str) -> str:
    """'1.2 MB' in the page's language (decimal units, as file managers show them)."""
    from babel.numbers import format_decimal

    from museumsite.i18n import _locale

    amount = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if amount < 1000 or unit == "GB":
            shown = format_decimal(round(amount, 1) if unit != "B" else size, locale=_locale(lang))
            return f"{shown}\u00a0{unit}"
        amount /= 1000
    return ""
