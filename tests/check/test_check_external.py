"""``check --external`` asks no private address: a comment's link must not make the checking
machine request its own network (blind SSRF), whether by name, literal IP, odd spelling or
redirect.

The end-to-end tests run real HTTP servers on loopback addresses and prove that the one
standing for a private host receives no request. The redirect test needs a host that the
rules treat as public without any network: a second loopback address (127.0.0.2) that an
injected classifier calls public; every other address is judged by the real ``address_kind``.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from museumsite.check.external import MAX_REDIRECTS, address_kind, check_external
from museumsite.cli import main

from support import SMALL_SITE, MakeSite

CONFIG = "title: T\nbase_url: https://site.example/\nlanguage: en\nlanguages: [en, fr]\ntimezone: Europe/Paris\n"


class Recorder(http.server.ThreadingHTTPServer):
    """A server that notes every request it gets; ``routes`` maps a path to (status, Location)."""

    def __init__(self, host: str, routes: dict[str, tuple[int, str]]) -> None:
        super().__init__((host, 0), _Handler)
        self.routes = routes
        self.requests: list[str] = []

    @property
    def url(self) -> str:
        return f"http://{self.server_address[0]}:{self.server_address[1]}"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: Recorder

    def _answer(self) -> None:
        self.server.requests.append(f"{self.command} {self.path}")
        status, location = self.server.routes.get(self.path, (200, ""))
        self.send_response(status)
        if location:
            self.send_header("Location", location.replace("{self}", self.server.url))
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_GET = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


def start(host: str, routes: dict[str, tuple[int, str]] | None = None) -> Recorder:
    try:
        server = Recorder(host, routes or {})
    except OSError as exc:  # 127.0.0.2 is not configured on every system (macOS)
        pytest.skip(f"cannot listen on {host}: {exc}")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def stop(server: Recorder) -> None:
    server.shutdown()
    server.server_close()


@pytest.fixture
def private_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    server = start("127.0.0.1")
    yield server
    stop(server)


def spellings(port: int) -> list[str]:
    """The loopback server under names a filter on the text of a URL would miss."""
    return [f"http://127.0.0.1:{port}/admin", f"http://localhost:{port}/", f"http://2130706433:{port}/decimal",
            f"http://0x7f.1:{port}/hex", f"http://0177.0.0.1:{port}/octal", f"http://127.1:{port}/short",
            f"http://[::ffff:127.0.0.1]:{port}/mapped", f"http://LOCALHOST:{port}/upper"]


def test_links_from_a_comment_to_private_addresses_are_not_asked_and_are_listed(
        make_site: MakeSite, private_server: Recorder, capsys: pytest.CaptureFixture[str]) -> None:
    port = private_server.server_address[1]
    links = spellings(port)
    body = " ".join(f"[link {i}]({url})" for i, url in enumerate(links))
    archive = ("comments:\n  - id: 1\n    author: Stranger\n    date: 2024-05-11 10:00:00+02:00\n    lang: en\n"
               f"    body: '{body}'\n")
    hello = SMALL_SITE["content/posts/hello.md"].replace("ada.md#bio", "ada.md")  # no broken anchor
    site = make_site({**SMALL_SITE, "content/posts/hello.md": hello, "content/comments/posts/hello.yaml": archive},
                     config=CONFIG)
    main(["check", "--external", "--format", "json", "--site", str(site), "--timeout", "2"])
    report = json.loads(capsys.readouterr().out)
    assert private_server.requests == [], "the private server was asked"
    skipped = {item["url"]: item for item in report["external"]["skipped"] if str(port) in item["url"]}
    assert set(skipped) == set(links)
    assert {item["page"] for item in skipped.values()} <= {"/posts/hello/", "/fr/posts/hello/"}
    assert skipped[f"http://2130706433:{port}/decimal"]["reason"] == \
        "2130706433 (127.0.0.1) is a loopback address; not asked"
    assert all("loopback address; not asked" in item["reason"] for item in skipped.values())
    assert not [f for f in report["findings"] if f["target"] in links], "a skipped link is no finding"
    # The text report says so, one line per link, and how to ask them anyway.
    main(["check", "--external", "--site", str(site), "--timeout", "2"])
    out = capsys.readouterr().out
    assert f"posts/hello/: note: http://0x7f.1:{port}/hex: 0x7f.1 (127.0.0.1) is a loopback address; not asked " \
           "(--external-private asks private addresses too)" in out
    assert private_server.requests == []
    # Asked on purpose, they are asked: the server was there all along.
    main(["check", "--external", "--external-private", "--site", str(site), "--timeout", "2"])
    assert "HEAD /admin" in private_server.requests and "HEAD /hex" in private_server.requests


def test_redirects_are_followed_only_to_public_addresses(private_server: Recorder) -> None:
    inside = private_server.url
    public = start("127.0.0.2", {
        "/to-private": (302, f"{inside}/secret"),
        "/to-decimal": (301, f"http://2130706433:{private_server.server_address[1]}/decimal"),
        "/to-localhost": (307, f"http://localhost:{private_server.server_address[1]}/named"),
        "/to-public": (302, "/landing"),
        "/to-other-scheme": (302, "file:///etc/passwd"),
        "/gone-after-redirect": (301, "{self}/missing"),
        "/missing": (404, ""),
        "/loop": (302, "{self}/loop"),
    })
    try:
        def classify(address: str) -> str:  # 127.0.0.2 stands for a public host; the rest as they are
            return "" if address == "127.0.0.2" else address_kind(address)

        paths = ["/to-private", "/to-decimal", "/to-localhost", "/to-public", "/to-other-scheme",
                 "/gone-after-redirect", "/loop"]
        result = check_external([public.url + p for p in paths], timeout=2, classify=classify)
    finally:
        stop(public)
    assert private_server.requests == [], "a redirect led the check into the private network"
    skipped = {a.url.removeprefix(public.url): a.reason for a in result.skipped}
    assert skipped == {
        "/to-private": f"redirects to {inside}/secret: 127.0.0.1 is a loopback address; not asked",
        "/to-decimal": f"redirects to http://2130706433:{private_server.server_address[1]}/decimal: "
                       "2130706433 (127.0.0.1) is a loopback address; not asked",
        "/to-localhost": f"redirects to http://localhost:{private_server.server_address[1]}/named: "
                         "localhost (127.0.0.1) is a loopback address; not asked",
        "/to-other-scheme": "redirects to file:///etc/passwd: not a web address"}
    assert "HEAD /landing" in public.requests, "a redirect to a public address is followed"
    assert [a.url.removeprefix(public.url) for a in result.broken] == ["/gone-after-redirect"]
    assert [(a.url.removeprefix(public.url), a.reason) for a in result.unreachable] == [
        ("/loop", f"more than {MAX_REDIRECTS} redirects")]
    assert result.checked == 3 and not result.offline


@pytest.mark.parametrize(("address", "kind"), [
    ("8.8.8.8", ""), ("2606:4700:4700::1111", ""), ("93.184.215.14", ""),
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("172.31.255.255", "private"), ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"), ("fe80::1%eth0", "link-local"),
    ("fc00::1", "unique-local"), ("fd12:3456::1", "unique-local"), ("fec0::1", "site-local"),
    ("224.0.0.1", "multicast"), ("239.255.255.250", "multicast"), ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("240.0.0.1", "reserved"), ("255.255.255.255", "reserved"),
    ("100.64.0.1", "not public"), ("192.0.2.1", "private"), ("198.18.0.1", "private"),
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:10.0.0.1", "private"), ("::ffff:8.8.8.8", ""),
    ("2002:7f00:1::", "loopback"), ("2002:a00:1::", "private"), ("64:ff9b::7f00:1", "loopback"),
    ("64:ff9b::808:808", ""), ("not-an-ip", "not an address"),
])
def test_address_kinds(address: str, kind: str) -> None:
    assert address_kind(address) == kind


def test_through_a_proxy_the_name_is_still_checked_here(private_server: Recorder,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment's proxy carries the requests; a private target is still never handed to it."""
    proxy = start("127.0.0.1")
    try:
        monkeypatch.setenv("http_proxy", f"http://user:secret@127.0.0.1:{proxy.server_address[1]}")
        monkeypatch.delenv("no_proxy", raising=False)
        monkeypatch.delenv("NO_PROXY", raising=False)

        def classify(address: str) -> str:  # 127.0.0.2 stands for a public host, as above
            return "" if address == "127.0.0.2" else address_kind(address)

        result = check_external(["http://127.0.0.2:8/public", f"{private_server.url}/private"], timeout=2,
                                classify=classify)
    finally:
        stop(proxy)
    assert proxy.requests == ["HEAD http://127.0.0.2:8/public"], "the proxy was asked for the public link only"
    assert private_server.requests == []
    assert [a.url for a in result.skipped] == [f"{private_server.url}/private"]
    assert result.checked == 1 and not result.broken
