"""``serve`` answers only for its own names (no DNS rebinding) and bounds its threads.

The real server on a free loopback port, spoken to with raw requests over sockets, so
each test chooses the exact Host header (or none) a browser or an attacker's page sends.
No assertion is about time: waits are generous limits that fail a test only when
something never happens.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from museumsite.cli import main
from museumsite.serve.live import EVENTS_PATH, SCRIPT_PATH
from museumsite.serve.server import MAX_CONNECTIONS, MAX_EVENT_STREAMS, DevServer, host_name

from support import SMALL_SITE, MakeSite, until

WAIT = 60.0  # seconds: only ever a limit for waiting


def start(make_site: MakeSite, **options: object) -> DevServer:
    server = DevServer(make_site(SMALL_SITE), port=0, **options)  # type: ignore[arg-type]
    server.start()
    return server


@pytest.fixture
def served(make_site: MakeSite) -> Iterator[tuple[DevServer, list[str]]]:
    said: list[str] = []
    server = start(make_site, allow_hosts=("preview.example.test",), log=said.append)
    try:
        yield server, said
    finally:
        server.stop()


def port_of(server: DevServer) -> int:
    assert server.server is not None
    return int(server.server.server_address[1])


def connect(server: DevServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port_of(server)), timeout=WAIT)


def raw(server: DevServer, head: str) -> tuple[int, bytes]:
    """Send ``head`` (request line and headers, CRLF added) as written; the status and body of the answer."""
    with connect(server) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode("latin-1") + b"\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status_line, _, rest = data.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


# ---------------------------------------------------------------- the Host header


def test_only_the_servers_own_names_are_answered(served: tuple[DevServer, list[str]]) -> None:
    server, said = served
    port = port_of(server)
    for host in [f"127.0.0.1:{port}", f"localhost:{port}", "localhost", f"LOCALHOST:{port}", f"[::1]:{port}",
                 "localhost.", f"preview.example.test:{port}", "Preview.Example.Test"]:
        status, body = raw(server, f"GET / HTTP/1.1\nHost: {host}\nConnection: close\n")
        assert status == 200 and b"Test site" in body, host
    for head in [f"GET / HTTP/1.1\nHost: rebind.attacker.example:{port}\n",
                 "GET / HTTP/1.1\nHost: rebind.attacker.example\n",
                 f"GET / HTTP/1.1\nHost: localhost.attacker.example:{port}\n",
                 f"GET / HTTP/1.1\nHost: 127.0.0.1.nip.example:{port}\n",
                 "GET / HTTP/1.1\nHost: 10.0.0.5\n",  # an IP literal, but not this server's address
                 f"GET / HTTP/1.1\nHost: localhost:{port}\nHost: attacker.example\n",
                 "GET / HTTP/1.1\nHost: localhost:80x\n", "GET / HTTP/1.1\nHost: \n", "GET / HTTP/1.0\n",
                 f"HEAD /talks/opening/ HTTP/1.1\nHost: attacker.example:{port}\n",
                 f"GET {EVENTS_PATH} HTTP/1.1\nHost: attacker.example:{port}\n",
                 f"GET {SCRIPT_PATH} HTTP/1.1\nHost: attacker.example:{port}\n",
                 f"GET /posts/hello/ HTTP/1.1\nHost: attacker.example:{port}\n"]:
        status, body = raw(server, head)
        assert status == 421, head
        assert body.startswith(b"Misdirected request: this preview answers only for localhost") or not body, head
        assert b"Test site" not in body and b"Hello" not in body and b"EventSource" not in body, head
    assert said.count("refused a request for host 'rebind.attacker.example' (421): "
                      "if you use that name yourself, start serve with --allow-host NAME") == 1
    status, _ = raw(server, "GET / HTTP/1.1\nHost: \x1b[31mred\n")
    assert status == 421 and not [line for line in said if "\x1b" in line], "no raw escape reaches the terminal"


def test_bound_to_every_address_an_ip_literal_is_answered_but_no_other_name(make_site: MakeSite) -> None:
    server = start(make_site, bind="0.0.0.0")
    try:
        port = port_of(server)
        assert raw(server, f"GET / HTTP/1.1\nHost: 192.168.1.20:{port}\n")[0] == 200, "a LAN address cannot be rebound"
        assert raw(server, f"GET / HTTP/1.1\nHost: [fe80::1]:{port}\n")[0] == 200
        assert raw(server, f"GET / HTTP/1.1\nHost: rebind.attacker.example:{port}\n")[0] == 421
    finally:
        server.stop()


@pytest.mark.parametrize(("header", "name"), [
    ("localhost:8000", "localhost"), ("[::1]:8000", "::1"), ("[::1]", "::1"), ("Example.ORG.", "example.org"),
    ("a:b", None), ("[::1]x", None), ("", None), (None, None), ("é.example", None), (":80", None),
])
def test_host_names(header: str | None, name: str | None) -> None:
    assert host_name(header) == name


def test_allow_host_is_documented_and_checked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--help"]) == 0
    assert "--allow-host NAME" in capsys.readouterr().out
    for bad in ("http://preview.example.test/", "preview.example.test:8000", "*.example.test", "a b"):
        assert main(["serve", "--allow-host", bad]) == 2, bad
        assert f"argument --allow-host: '{bad}' is not a host name" in capsys.readouterr().err


# ---------------------------------------------------------------- bounded threads


class Stream:
    """An events stream opened over a raw socket; ``status`` is what the server answered."""

    def __init__(self, server: DevServer) -> None:
        self.sock = connect(server)
        self.sock.sendall(f"GET {EVENTS_PATH} HTTP/1.1\r\nHost: localhost:{port_of(server)}\r\n\r\n".encode())
        self.file = self.sock.makefile("rb")
        self.status = int(self.file.readline().split()[1])
        if self.status == 200:
            while self.file.readline().strip() != b": connected":
                pass

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def test_event_streams_are_capped_and_a_closed_page_gives_its_slot_back(make_site: MakeSite) -> None:
    server = start(make_site)
    before = threading.active_count()
    streams: list[Stream] = []
    try:
        streams = [Stream(server) for _ in range(MAX_EVENT_STREAMS + 20)]
        assert [s.status for s in streams].count(200) == MAX_EVENT_STREAMS
        assert [s.status for s in streams[MAX_EVENT_STREAMS:]] == [503] * 20
        # A refused stream's thread answers 503 and ends: on a busy machine the last ones may still be ending.
        assert until(lambda: threading.active_count() <= before + MAX_EVENT_STREAMS + 2), \
            "a thread per refused stream stayed"
        streams.pop(0).close()  # a tab closed: its slot comes back, not only at the next keepalive

        def reopened() -> bool:
            stream = Stream(server)
            streams.append(stream)
            return stream.status == 200

        assert until(reopened), "the slot of a closed page never came back"
        assert raw(server, f"GET / HTTP/1.1\nHost: localhost:{port_of(server)}\n")[0] == 200, "pages still load"
    finally:
        for stream in streams:
            stream.close()
        server.stop()


def test_connections_beyond_the_cap_get_503_and_no_thread(make_site: MakeSite) -> None:
    server = start(make_site)
    assert server.server is not None
    idle: list[socket.socket] = []
    try:
        before = threading.active_count()
        idle = [connect(server) for _ in range(MAX_CONNECTIONS)]  # open, and never say a word
        assert until(lambda: len(server.server.connections) == MAX_CONNECTIONS)  # type: ignore[union-attr]
        for _ in range(30):
            status, body = raw(server, f"GET / HTTP/1.1\nHost: localhost:{port_of(server)}\n")
            assert status == 503 and body == b"Too many connections: try again in a while\n"
        assert threading.active_count() <= before + MAX_CONNECTIONS + 1
        for sock in idle:
            sock.close()
        idle = []
        assert until(lambda: not server.server.connections)  # type: ignore[union-attr]
        assert raw(server, f"GET / HTTP/1.1\nHost: localhost:{port_of(server)}\n")[0] == 200
    finally:
        for sock in idle:
            sock.close()
        server.stop()
