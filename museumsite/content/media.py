"""What a slide or video link is, from its URL: a label for readers, an embed for players.

Pure functions over URLs. A slide link is typed (PDF, Slideshare, Speaker Deck, Google
Slides, a DOI on Zenodo or Figshare, HTML slides) so the talk page can say what the
reader will get before following it. A video link gets the address of its player
(YouTube's privacy-enhanced host, Vimeo, media.ccc.de, and the PeerTube instances the
site names) when its id passes a strict pattern, or, for a direct file, a ``<video>``;
the page loads neither until the reader asks, and anything else is only a link.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from museumsite.lang import N_

SLIDE_KINDS = {
    "pdf": N_("PDF"), "slideshare": N_("Slideshare"), "speakerdeck": N_("Speaker Deck"),
    "google": N_("Google Slides"), "zenodo": N_("Zenodo (DOI)"), "figshare": N_("Figshare (DOI)"),
    "doi": N_("DOI"), "html": N_("HTML slides"), "file": N_("File"),
}
# What a talk's other links are (``links:`` front matter, each with an optional ``kind``), as the
# talk page names them. Importers type a schedule's links with these; any link may go without one.
LINK_KINDS = {
    "video": N_("Recording"), "schedule": N_("Page in the schedule"), "origin": N_("Page in the original schedule"),
    "feedback": N_("Feedback"), "paper": N_("Paper"), "article": N_("Article"), "blog": N_("Blog post"),
    "web": N_("Website"), "related": N_("Related"),
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


# Players the site embeds without being told: each host serves only its own videos and
# is named in the consent text. A PeerTube instance can be anyone's, so it needs the
# site's word (``video.hosts`` in museumsite.yaml).
YOUTUBE_HOSTS = frozenset({"youtube.com", "www.youtube.com", "m.youtube.com", "youtube-nocookie.com",
                           "www.youtube-nocookie.com"})
VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"})
CCC_HOST = "media.ccc.de"
YOUTUBE_PLAYER, VIMEO_PLAYER = "www.youtube-nocookie.com", "player.vimeo.com"
_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_YOUTUBE_PATH = re.compile(r"/(?:embed|shorts|live|v)/([^/]*)/?")
_VIMEO_PATH = re.compile(r"/(?:video/)?([0-9]{1,12})/?")
_CCC_PATH = re.compile(r"/v/([^/]*)(?:/|/oembed/?)?")
_CCC_SLUG = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*")
_PEERTUBE_PATH = re.compile(r"/(?:w|videos/watch|videos/embed)/([A-Za-z0-9-]+)/?")
# A UUID, or the short id of /w/ links (base58: no 0, O, I or l).
_PEERTUBE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
                          r"|[1-9A-HJ-NP-Za-km-z]{20,22}")


@dataclass(frozen=True, slots=True)
class Video:
    """How to show a recording: a player page to frame, a file for ``<video>``, or a link only.

    ``provider`` says what the link is (the importer sorts links by it); ``embed`` is
    set only for a player on a host the site trusts, with an id that passed its
    strict pattern, so nothing a schedule wrote is ever framed from anywhere else.
    """

    url: str  # what the plain link points to
    provider: str  # YouTube, Vimeo, PeerTube, media.ccc.de, or "" for a file or another page
    embed: str = ""  # the player's address, for an iframe; "" when it may not be framed
    file_type: str = ""  # the MIME type of a direct file
    host: str = ""  # where playing it here loads from, named in the consent text ("" for a file of the site)
    playable: bool = False  # whether the page may offer to play it here (after a click)

    @property
    def source(self) -> str:
        """How the consent text names what a click loads: 'YouTube (www.youtube-nocookie.com)'."""
        if self.provider and self.host and self.provider != self.host:
            return f"{self.provider} ({self.host})"
        return self.host


def video_of(url: str, trusted_hosts: tuple[str, ...] = ()) -> Video:
    """What ``url`` is as a recording; ``trusted_hosts`` are the site's own PeerTube instances."""
    parts = urlsplit(url)
    # Only a bare host is recognised: 'youtube.com@evil.example' or a port is another site.
    host = (parts.hostname or "") if parts.netloc.lower() == parts.hostname else ""
    if posixpath.splitext(parts.path.lower())[1] in VIDEO_FILES:
        return _file(url, parts.scheme, host)
    if parts.scheme not in ("http", "https") or not host:
        return Video(url=url, provider="")
    if host in YOUTUBE_HOSTS or host == "youtu.be":
        return _youtube(url, host, parts.path, parts.query)
    vimeo = _VIMEO_PATH.fullmatch(parts.path)
    if host in VIMEO_HOSTS and vimeo:
        return _player(url, "Vimeo", VIMEO_PLAYER, f"https://{VIMEO_PLAYER}/video/{vimeo.group(1)}?dnt=1")
    ccc = _CCC_PATH.fullmatch(parts.path)
    if host == CCC_HOST and ccc:
        slug = ccc.group(1)
        valid = _CCC_SLUG.fullmatch(slug) and len(slug) <= 200
        return _player(url, "media.ccc.de", CCC_HOST, f"https://{CCC_HOST}/v/{slug}/oembed" if valid else "")
    peertube = _PEERTUBE_PATH.fullmatch(parts.path)
    if peertube and parts.scheme == "https":
        ident = peertube.group(1)
        trusted = host in {h.lower() for h in trusted_hosts} and _PEERTUBE_ID.fullmatch(ident)
        return _player(url, "PeerTube", host, f"https://{host}/videos/embed/{ident}" if trusted else "")
    return Video(url=url, provider="")


def _youtube(url: str, host: str, path: str, query: str) -> Video:
    """A YouTube link framed through the privacy-enhanced host, when its id is an id."""
    if host == "youtu.be":
        ident = path.strip("/")
    elif path.rstrip("/") == "/watch":
        values = parse_qs(query).get("v", [])
        ident = values[0] if len(values) == 1 else ""
    else:
        match = _YOUTUBE_PATH.fullmatch(path)
        ident = match.group(1) if match else ""
    valid = _YOUTUBE_ID.fullmatch(ident)
    return _player(url, "YouTube", YOUTUBE_PLAYER, f"https://{YOUTUBE_PLAYER}/embed/{ident}" if valid else "")


def _player(url: str, provider: str, host: str, embed: str) -> Video:
    return Video(url=url, provider=provider, embed=embed, host=host, playable=bool(embed))


def _file(url: str, scheme: str, host: str) -> Video:
    """A direct file plays from the site, or from another host over https (named before the click)."""
    file_type = VIDEO_FILES[posixpath.splitext(urlsplit(url).path.lower())[1]]
    if not scheme and url.startswith("/") and not url.startswith("//"):
        return Video(url=url, provider="", file_type=file_type, playable=True)
    return Video(url=url, provider="", file_type=file_type, host=host, playable=scheme == "https" and bool(host))


def human_size(size: int, lang: str) -> str:
    """'1.2 MB' in the page's language (decimal units, as file managers show them)."""
    from babel.numbers import format_decimal

    from museumsite.lang.i18n import _locale

    amount = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if amount < 1000 or unit == "GB":
            shown = format_decimal(round(amount, 1) if unit != "B" else size, locale=_locale(lang))
            return f"{shown}\u00a0{unit}"
        amount /= 1000
    return ""
