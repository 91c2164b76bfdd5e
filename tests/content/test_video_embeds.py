"""Video embeds: only players the site trusts are framed, with ids that are ids; the rest are links.

Real sites, real builds (and a real pretalx import), talk pages parsed with html5lib.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import html5lib
import pytest

from museumsite.build import build
from museumsite.cli import main
from museumsite.errors import ConfigError

from support import MakeSite

CONFIG = "title: Videos\nbase_url: https://example.org/\nlanguage: en\ntimezone: Europe/Paris\n"
EVENT = "---\ntitle: Conf\nstart: 2024-05-02\ntimezone: Europe/Paris\n---\nThe conference.\n"
UUID = "9c9de5e8-0a1e-484a-b099-e80766180a6d"
SHORT = "kkGMgK9ZtnKfYAgnEtQxbv"


def talk(video: str, extra: str = "") -> str:
    return (f"---\ntitle: A talk\nevent: conf\nstart: 2024-05-02 10:00\nend: 2024-05-02 10:30\n"
            f"video: '{video}'\n{extra}---\nText.\n")


# (name, video URL, expected embed or None for a plain link)
CASES = [
    ("youtube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("youtube-short-link", "https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("youtube-embed", "https://www.youtube-nocookie.com/embed/a_b-c_d-e_f",
     "https://www.youtube-nocookie.com/embed/a_b-c_d-e_f"),
    ("youtube-dots", "https://www.youtube.com/watch?v=../../../redirect%3Fq%3Dhttps://evil.example", None),
    ("youtube-encoded", "https://www.youtube.com/watch?v=%2e%2e%2f%2e%2e%2fx", None),
    ("youtube-two-ids", "https://www.youtube.com/watch?v=dQw4w9WgXcQ&v=../../x", None),
    ("youtube-too-long", "https://www.youtube.com/watch?v=dQw4w9WgXcQQ", None),
    ("youtube-other-path", "https://www.youtube.com/redirect?v=dQw4w9WgXcQ", None),
    ("youtube-shorts-dots", "https://youtube.com/shorts/..%2F..%2Fx", None),
    ("youtu-be-path", "https://youtu.be/dQw4w9WgXcQ/../../redirect", None),
    ("youtube-port", "https://www.youtube.com:8443/watch?v=dQw4w9WgXcQ", None),
    ("vimeo", "https://vimeo.com/123456", "https://player.vimeo.com/video/123456?dnt=1"),
    ("vimeo-dots", "https://vimeo.com/../123", None),
    ("ccc", "https://media.ccc.de/v/38c3-1234-a_talk", "https://media.ccc.de/v/38c3-1234-a_talk/oembed"),
    ("ccc-dots", "https://media.ccc.de/v/..", None),
    ("ccc-encoded", "https://media.ccc.de/v/%2e%2e%2fredirect", None),
    ("peertube-untrusted", f"https://tube.attacker.example/w/{SHORT}", None),
    ("peertube-untrusted-uuid", f"https://tube.attacker.example/videos/watch/{UUID}", None),
    ("peertube-trusted", f"https://tube.example.org/w/{SHORT}", f"https://tube.example.org/videos/embed/{SHORT}"),
    ("peertube-trusted-uuid", f"https://Tube.Example.org/videos/watch/{UUID}",
     f"https://tube.example.org/videos/embed/{UUID}"),
    ("peertube-trusted-bad-id", "https://tube.example.org/w/x", None),
    ("peertube-trusted-http", f"http://tube.example.org/w/{SHORT}", None),
    ("other-page", "https://example.net/video", None),
]


def parse(path: Path) -> Any:
    return html5lib.parse(path.read_bytes(), treebuilder="etree", namespaceHTMLElements=False)


def text(element: Any) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def recording(page: Path) -> Any:
    tree = parse(page)
    section = tree.find(".//section[@class='recording']")
    assert section is not None
    return tree, section


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("videos")
    (site / "museumsite.yaml").write_text(CONFIG + "video:\n  hosts: [tube.example.org]\n", encoding="utf-8")
    files = {"content/events/conf.md": EVENT}
    files |= {f"content/talks/{name}.md": talk(url) for name, url, _ in CASES}
    files |= {"content/talks/file-site.md": talk("/recordings/a.webm"),
              "content/talks/file-https.md": talk("https://cdn.example.net/rec/a.mp4"),
              "content/talks/file-http.md": talk("http://cdn.example.net/rec/a.mp4"),
              "content/static/recordings/a.webm": "webm"}
    for rel, body in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(body, encoding="utf-8")
    build(site, site / "_site")
    return site / "_site"


@pytest.mark.parametrize(("name", "url", "embed"), CASES, ids=[c[0] for c in CASES])
def test_only_trusted_players_with_valid_ids_are_framed(built: Path, name: str, url: str, embed: str | None) -> None:
    tree, section = recording(built / f"talks/{name}/index.html")
    figures = section.findall(".//figure")
    if embed is None:
        assert figures == [], "an untrusted host or a malformed id is never a player"
        assert [a.get("href") for a in section.iter("a")] == [url], "it stays a plain link to what was written"
        assert section.find(".//button") is None
        assert not [e for e in tree.iter() if e.get("data-embed") is not None]
        assert tree.find(".//script[@src='/theme/js/media.js']") is None
        return
    assert len(figures) == 1
    figure = figures[0]
    assert figure.get("data-embed") == embed
    host = embed.split("/")[2]
    consent = text(figure.find(".//p[@class='video-consent']"))
    assert f"({host})" in consent or consent.startswith(f"Playing the video here loads it from {host}."), consent
    assert [a.get("href") for a in figure.iter("a")] == [url]


def test_the_consent_text_names_the_host_the_player_comes_from(built: Path) -> None:
    consent = {name: text(parse(built / f"talks/{name}/index.html").find(".//p[@class='video-consent']"))
               for name in ("youtube", "vimeo", "ccc", "peertube-trusted", "file-https")}
    assert consent == {
        "youtube": "Playing the video here loads it from YouTube (www.youtube-nocookie.com).",
        "vimeo": "Playing the video here loads it from Vimeo (player.vimeo.com).",
        "ccc": "Playing the video here loads it from media.ccc.de.",
        "peertube-trusted": "Playing the video here loads it from PeerTube (tube.example.org).",
        "file-https": "Playing the video here loads it from cdn.example.net.",
    }


def test_files_play_from_the_site_or_over_https_and_are_links_otherwise(built: Path) -> None:
    _, site_file = recording(built / "talks/file-site/index.html")
    figure = site_file.find(".//figure")
    assert figure is not None and figure.get("data-file") == "/recordings/a.webm"
    # Ours: a <video preload="none"> on the page, no click-to-load gate (it would protect nothing).
    assert figure.find(".//p[@class='video-consent']") is None
    video = figure.find(".//video")
    assert video is not None and video.get("preload") == "none"
    assert [s.get("src") for s in video.iter("source")] == ["/recordings/a.webm"]
    _, remote = recording(built / "talks/file-https/index.html")
    assert remote.find(".//figure").get("data-file") == "https://cdn.example.net/rec/a.mp4"
    _, plain = recording(built / "talks/file-http/index.html")
    assert plain.find(".//figure") is None, "a file over http is only a link"
    assert [a.get("href") for a in plain.iter("a")] == ["http://cdn.example.net/rec/a.mp4"]


def test_a_video_host_that_is_not_a_host_name_is_a_config_error(make_site: MakeSite) -> None:
    site = make_site(config=CONFIG + "video:\n  hosts:\n    - https://tube.example.org/\n    - '*.example.org'\n")
    with pytest.raises(ConfigError) as caught:
        build(site, site / "_site")
    shown = [str(p) for p in caught.value.problems]
    assert [s.split("\n")[0] for s in shown] == [
        "museumsite.yaml:7: video.hosts: 'https://tube.example.org/' is not a host name",
        "museumsite.yaml:8: video.hosts: '*.example.org' is not a host name"]
    assert all("hint: write the PeerTube instance's name alone, such as 'tube.example.org'" in s for s in shown)
    assert main(["build", "--site", str(site)]) == 2


def _pretalx(links: dict[str, str]) -> dict[str, Any]:
    talks = [{"id": index, "guid": f"00000000-0000-4000-8000-{index:012d}", "date": "2024-05-02T10:00:00+02:00",
              "start": "10:00", "duration": "00:30", "room": "Hall", "title": f"Talk {name}", "type": "Talk",
              "language": "en", "abstract": "Abstract.", "persons": [],
              "links": [{"url": url, "title": "Recording"}]}
             for index, (name, url) in enumerate(links.items(), start=1)]
    return {"schedule": {"version": "1", "conference": {
        "acronym": "vid", "title": "Videos", "start": "2024-05-02", "end": "2024-05-02", "daysCount": 1,
        "time_zone_name": "Europe/Paris", "days": [{"index": 1, "date": "2024-05-02", "rooms": {"Hall": talks}}]}}}


def test_videos_from_an_imported_schedule_are_links_unless_trusted_and_nofollow(make_site: MakeSite,
                                                                              tmp_path: Path) -> None:
    links = {"peertube": f"https://tube.attacker.example/w/{SHORT}",
             "traversal": "https://www.youtube.com/watch?v=../../../redirect%3Fq%3Devil",
             "good": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"}
    schedule = tmp_path / "schedule.json"
    schedule.write_text(json.dumps(_pretalx(links)), encoding="utf-8")
    site = make_site(config=CONFIG)
    assert main(["import", "pretalx", str(schedule), "--site", str(site)]) == 0
    build(site, site / "_site")
    pages = {name: recording(site / f"_site/talks/talk-{name}/index.html")[1] for name in links}
    for name in ("peertube", "traversal"):
        section = pages[name]
        assert section.find(".//figure") is None, name
        anchors = list(section.iter("a"))
        assert [a.get("href") for a in anchors] == [links[name]]
        assert {"nofollow", "ugc"} <= set(anchors[0].get("rel", "").split()), "a schedule's link earns no credit"
    figure = pages["good"].find(".//figure")
    assert figure is not None and figure.get("data-embed") == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert {"nofollow", "ugc"} <= set(figure.find(".//a").get("rel", "").split())
