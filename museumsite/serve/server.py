"""The development server: build, serve, watch, rebuild, reload the browser.

Input: a site folder. Output: the site over HTTP on 127.0.0.1, rebuilt whenever its
sources change, with open pages reloaded through server-sent events and the problems
of a failed build shown over the last good pages.

The site is built into ``.museumsite-cache/serve/``, not ``_site/``: a deploy folder
never receives drafts or half-finished work from an editing session, and ``serve``
and ``build`` never wait on each other's lock. Each rebuild is a full ``build()``;
converted Markdown comes from the cache and unchanged files are not rewritten.
Requests are answered from the output folder only: a path is decoded, any ``..``
refused, then resolved (symlinks included) and checked to be inside the folder.

A web page the author visits may try to read the preview through DNS rebinding: its
own name, re-pointed at 127.0.0.1, makes the browser send its requests here with that
name in ``Host``. So only the names this server is meant to have are answered (the
bound address, ``localhost``, ``127.0.0.1``, ``[::1]``, any ``--allow-host``); any other
gets 421. Threads are bounded too: at most MAX_CONNECTIONS at once (further connections
get 503 from the accepting thread, which starts none) and MAX_EVENT_STREAMS open pages.
"""

from __future__ import annotations

import ipaddress
import mimetypes
import select
import shutil
import socket
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from museumsite import CONFIG_FILE
from museumsite.build import build
from museumsite.config import load_config, no_site
from museumsite.errors import BuildError, Problem, UsageError, counted
from museumsite.incremental.store import SERVE_OUTPUT
from museumsite.serve.live import EVENTS_PATH, SCRIPT, SCRIPT_PATH, LiveState, inject, no_site_page
from museumsite.serve.session import Found, Session, locate
from museumsite.serve.watch import Watcher

KEEPALIVE = 15.0  # seconds between comments on an idle events stream, so proxies keep it open
HANGUP_CHECK = 1.0  # seconds between looks at whether an events stream's page was closed
MAX_CONNECTIONS = 128  # request threads at once; a connection beyond is answered 503 without one
MAX_EVENT_STREAMS = 64  # open pages listening for reloads; each holds a thread while open
LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")
_WILDCARDS = ("", "0.0.0.0", "::")
_BUSY = (b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
         b"Retry-After: 1\r\nConnection: close\r\nContent-Length: 43\r\n\r\n"
         b"Too many connections: try again in a while\n")
Log = Callable[[str], None]
__all__ = ["SERVE_OUTPUT", "DevServer", "Found", "host_name", "is_ip", "is_loopback", "locate"]


def host_name(header: str | None) -> str | None:
    """The name of a ``Host`` header, lower case, without its port or final dot; None if malformed."""
    if header is None:
        return None
    text = header.strip().lower()
    if text.startswith("["):
        name, bracket, port = text[1:].partition("]")
        port = port.removeprefix(":") if bracket else "?"
    else:
        name, _, port = text.partition(":")
    if (port and not port.isdigit()) or not name or not name.isascii():
        return None
    return name.rstrip(".") or None


def is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def is_loopback(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


class _Server(ThreadingHTTPServer):
    """Joins its request threads on close; ``close_connections`` unblocks the ones still waiting."""

    daemon_threads = False
    block_on_close = True
    request_queue_size = 64  # the listen backlog: a page and its assets arrive at once (socketserver's is 5)

    def __init__(self, address: tuple[str, int], dev: DevServer) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.dev = dev
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        self.streams = 0
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """A thread for the connection, or 503 at once when MAX_CONNECTIONS threads are busy."""
        with self.connections_lock:
            full = len(self.connections) >= MAX_CONNECTIONS
            if not full:
                self.connections.add(request)
        if full:
            _turn_away(request)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            with self.connections_lock:
                self.connections.discard(request)
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.connections_lock:
                self.connections.discard(request)

    def open_stream(self) -> bool:
        """Count one more events stream; False when MAX_EVENT_STREAMS are open."""
        with self.connections_lock:
            if self.streams >= MAX_EVENT_STREAMS:
                return False
            self.streams += 1
            return True

    def close_stream(self) -> None:
        with self.connections_lock:
            self.streams -= 1

    def close_connections(self) -> None:
        with self.connections_lock:
            for connection in self.connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed by its thread

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser closing a tab mid-response is normal; anything else gets one line, not a traceback.
        import sys

        error = sys.exc_info()[1]
        if not isinstance(error, (ConnectionError, TimeoutError)):
            self.dev.log(f"error answering {client_address[0]}: {type(error).__name__}: {error}")


class _Handler(BaseHTTPRequestHandler):
    server_version = "museumsite"
    timeout = 30  # seconds an idle connection may hold a thread

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a line per request would bury the rebuild messages

    @property
    def dev(self) -> DevServer:
        return cast(_Server, self.server).dev

    def _answer(self, head: bool) -> None:
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1 or not self.dev.answers_for(host_name(hosts[0])):
            self.dev.refused_host(hosts[0] if len(hosts) == 1 else "")
            self._send(HTTPStatus.MISDIRECTED_REQUEST, "text/plain; charset=utf-8",
                       b"Misdirected request: this preview answers only for localhost, 127.0.0.1, [::1], "
                       b"its --bind address and the names given with --allow-host.\n", head)
            return
        path = urlsplit(self.path).path
        if path == EVENTS_PATH and not head:
            self._events()
            return
        if path == SCRIPT_PATH:
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", SCRIPT, head)
            return
        dev = self.dev
        _, problems = dev.live.snapshot()
        if not (dev.output / "index.html").is_file() and problems:
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/html; charset=utf-8", no_site_page(problems), head)
            return
        found = dev.session.find(self.path, dev.base_path)
        if found.redirect:
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", found.redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if (not self._send_file(found, urlsplit(self.path).path, HTTPStatus.OK, head, problems)
                and not self._send_file(dev.session.page("404.html"), "404.html", HTTPStatus.NOT_FOUND, head, problems)):
            self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"Not found\n", head)

    def _send_file(self, found: Found, name: str, status: HTTPStatus, head: bool,
                   problems: tuple[Problem, ...]) -> bool:
        """Send what was found (``name``: its path, for its type); False if nothing was, or its file vanished meanwhile."""
        file = found.file
        if found.data is not None:
            self._send_data(found.data, name, status, head, problems)
            return True
        if file is None:
            return False
        try:
            handle = file.open("rb")
        except OSError:
            return False
        with handle:
            if file.suffix in (".html", ".htm"):
                self._send(status, "text/html; charset=utf-8", inject(handle.read(), problems), head)
                return True
            kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
                kind += "; charset=utf-8"
            self._headers(status, kind, _size(handle))
            if not head:
                shutil.copyfileobj(handle, self.wfile)
        return True

    def _send_data(self, data: bytes, name: str, status: HTTPStatus, head: bool,
                   problems: tuple[Problem, ...]) -> None:
        """Send an output held in memory: a page gets the live script (and overlay), as one from a file does."""
        if name.endswith(("/", ".html", ".htm")):
            self._send(status, "text/html; charset=utf-8", inject(data, problems), head)
            return
        kind = mimetypes.guess_type(name.rsplit("/", 1)[-1])[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        self._send(status, kind, data, head)

    def _send(self, status: HTTPStatus, kind: str, data: bytes, head: bool) -> None:
        self._headers(status, kind, len(data))
        if not head:
            self.wfile.write(data)

    def _headers(self, status: HTTPStatus, kind: str, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")  # a rebuild must show at the next load
        self.end_headers()

    def _events(self) -> None:
        """Server-sent events: ``reload`` after a good build, ``problems`` after a failed one."""
        server = cast(_Server, self.server)
        if not server.open_stream():
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
                       f"Too many open pages: at most {MAX_EVENT_STREAMS} reload at once\n".encode(), False)
            return
        try:
            self._stream()
        finally:
            server.close_stream()

    def _stream(self) -> None:
        live = self.dev.live
        seen, _ = live.snapshot()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(b"retry: 1000\n: connected\n\n")
            self.wfile.flush()
            quiet_since = time.monotonic()
            while (state := live.wait_after(seen, HANGUP_CHECK)) is not None:
                version, problems = state
                if version != seen:
                    seen = version
                    self.wfile.write(f"event: {'problems' if problems else 'reload'}\ndata: {version}\n\n".encode())
                elif _hung_up(self.connection):
                    return
                elif time.monotonic() - quiet_since >= KEEPALIVE:
                    self.wfile.write(b": keepalive\n\n")
                else:
                    continue
                self.wfile.flush()
                quiet_since = time.monotonic()
        except (ConnectionError, TimeoutError, OSError):
            return  # the page was closed or reloaded


def _hung_up(connection: socket.socket) -> bool:
    """Whether the client of an events stream closed it (it never sends anything after its request).

    Noticed within HANGUP_CHECK seconds, not at the next keepalive: a closed tab must give
    its slot back before reloads fill MAX_EVENT_STREAMS with streams nobody reads.
    """
    try:
        readable, _, _ = select.select([connection], [], [], 0)
        return bool(readable) and connection.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


def _turn_away(request: socket.socket) -> None:
    """Answer 503 to a connection over the limit, from the accepting thread, in bounded time."""
    try:
        request.settimeout(0.2)
        request.recv(8192)  # the request, so that closing does not reset the connection before the answer
        request.sendall(_BUSY)
    except OSError:
        pass  # the client went away, or sent nothing in time: it is closed all the same


def _size(handle: Any) -> int:
    import os

    return os.fstat(handle.fileno()).st_size


class DevServer:
    """Build once, then serve, watch and rebuild until ``stop()``.

    ``start()`` returns once the first build is done and the socket listens, so a
    caller (the CLI or a test) can print or use ``url`` at once.
    """

    def __init__(self, root: Path, *, bind: str = "127.0.0.1", port: int = 8000, drafts: bool = False,
                 allow_hosts: tuple[str, ...] = (), log: Log = lambda message: None) -> None:
        self.root = root.resolve()
        self.bind = bind
        bound = bind.strip("[]").lower()
        self.hosts = frozenset({*LOCAL_NAMES, bound, *(h.strip("[]").lower().rstrip(".") for h in allow_hosts)})
        # Bound to every address, the machine's own addresses are reached by IP: a literal cannot be rebound.
        self.any_ip = bound in _WILDCARDS
        self.refused: set[str] = set()
        self.port = port
        self.drafts = drafts
        self.log = log
        self.output = self.root / SERVE_OUTPUT
        self.live = LiveState()
        # Publishing at ready is the reload event: the pages are shown from memory before they are written.
        self.session = Session(self.output, on_ready=lambda: self.live.publish(()))
        self.base_path = "/"
        self.watcher = Watcher(self.root, self.rebuild, idle=self.catch_up)
        self.server: _Server | None = None
        self.thread: threading.Thread | None = None

    def answers_for(self, name: str | None) -> bool:
        """Whether a request naming ``name`` in its Host header is meant for this server."""
        return name is not None and (name in self.hosts or (self.any_ip and is_ip(name)))

    def refused_host(self, header: str) -> None:
        """Say once per name why its requests get 421, so that a wanted name can be allowed."""
        shown = ascii(header)[1:-1][:100]  # a header is a stranger's text: no raw control character
        if shown not in self.refused and len(self.refused) < 20:
            self.refused.add(shown)
            self.log(f"refused a request for host '{shown}' (421): "
                     "if you use that name yourself, start serve with --allow-host NAME")

    @property
    def url(self) -> str:
        assert self.server is not None, "start() first"
        host, port = self.server.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}{self.base_path}"

    def start(self) -> None:
        if not (self.root / CONFIG_FILE).is_file():
            raise no_site(self.root)
        if not is_loopback(self.bind):
            self.log(f"warning: serving on {self.bind}, which other machines may reach; "
                     "the default, 127.0.0.1, is this machine only")
        self.rebuild()
        try:
            self.server = _Server((self.bind, self.port), self)
        except OSError as exc:
            raise UsageError(f"cannot listen on {self.bind}:{self.port}: {exc.strerror}; "
                             "choose another port with --port or another address with --bind") from exc
        self.thread = threading.Thread(target=self.server.serve_forever, name="museumsite-serve", daemon=True)
        self.thread.start()
        self.watcher.start()

    def stop(self) -> None:
        """Close every connection and join every thread, then stop watching (after a build in progress).

        Event streams end first: should a second Ctrl-C cut this short, no request thread is left
        waiting for a build that will never come, so the process can still exit.
        """
        self.live.stop()
        if self.server is not None:
            self.server.shutdown()
            self.server.close_connections()
            self.server.server_close()
        if self.thread is not None:
            self.thread.join()
        self.watcher.stop()

    def catch_up(self) -> None:
        """Bring the search index up to date if the last build kept the previous one (the author paused)."""
        if self.session.behind:
            self.rebuild(quiet=True)

    def rebuild(self, quiet: bool = False) -> None:
        """One build; its problems (or none) go to every open page. Never raises but UsageError
        on the first build: a dev server outlives its bugs and shows them instead. After the first,
        a build keeps the previous search index (see session.py) unless ``quiet``: then it makes
        the index again, and sends no reload event unless it fails."""
        started = time.perf_counter()
        first = self.live.version == 0
        self.session.starting(defer_search=not first and not quiet, quiet=quiet)
        try:
            try:
                result = build(self.root, self.output, drafts=self.drafts, in_place=True,
                               resident=self.session.resident)
                self.base_path = load_config(self.root).base_path
            except BaseException:
                self.session.finished(good=False)
                raise
            self.session.finished(good=True)
        except BuildError as exc:  # ConfigError too: a broken config is one more problem to show
            if not first and self.watcher.changed.is_set():
                # A file changed while the build read the sources: an editor's save seen half-written (an
                # emptied museumsite.yaml) is no problem to show. The build that follows reports what stays.
                self.log("sources changed during the build: building again")
                return
            self.live.publish(exc.problems)
            self.log("\n".join(str(p) for p in exc.problems))
            self.log(f"Build failed: {counted(len(exc.problems), 'problem')}; "
                     + ("serving the last good build." if (self.output / "index.html").is_file() else
                        "nothing to serve until it is fixed."))
            return
        except UsageError as exc:
            if first:
                raise
            self.live.publish([Problem(CONFIG_FILE, None, str(exc))])
            self.log(f"error: {exc}")
            return
        except Exception as exc:  # noqa: BLE001 (a bug in a build must not end the session)
            self.live.publish([Problem("museumsite", None, f"internal error: {type(exc).__name__}: {exc}",
                                       "this is a bug in museumsite; please report it with this message")])
            self.log(f"internal error during the build: {type(exc).__name__}: {exc}")
            return
        if quiet:
            if self.live.snapshot()[1]:
                self.live.publish(())
            return
        if not self.session.announced:
            self.live.publish(())  # a no-op build: nothing was shown early
        for warning in result.warnings:
            self.log(str(warning))
        self.log(f"{'Built' if first else 'Rebuilt'} {counted(result.pages, 'page')} in "
                 f"{time.perf_counter() - started:.2f} s")
