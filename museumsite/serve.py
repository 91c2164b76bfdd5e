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
"""

from __future__ import annotations

import ipaddress
import mimetypes
import shutil
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote, urlsplit

from museumsite.build import CACHE_DIR, build
from museumsite.config import load_config, no_site
from museumsite.errors import BuildError, Problem, UsageError, counted
from museumsite.live import EVENTS_PATH, SCRIPT, SCRIPT_PATH, LiveState, inject, no_site_page
from museumsite.watch import CONFIG_FILE, Watcher

KEEPALIVE = 15.0  # seconds between comments on an idle events stream, so proxies keep it open
SERVE_OUTPUT = Path(CACHE_DIR) / "serve"
Log = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Found:
    """Where a request path leads: a file, a redirect, or nothing (``file`` and ``redirect`` None)."""

    file: Path | None = None
    redirect: str | None = None


def locate(request_path: str, output: Path, base_path: str = "/") -> Found:
    """Map a URL path to a file inside ``output``, never outside it.

    ``..`` segments are refused after percent-decoding (``%2e%2e``), and the
    resolved file (symlinks followed) must still lie inside the resolved output.
    """
    raw = urlsplit(request_path).path
    try:
        path = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return Found()
    if "\x00" in path or "\\" in path:
        return Found()
    if not path.startswith(base_path):
        return Found(redirect=base_path) if path in ("/", base_path.rstrip("/")) else Found()
    parts = path[len(base_path):].split("/")
    if any(part in (".", "..") for part in parts):
        return Found()
    root = output.resolve()
    target = root.joinpath(*[p for p in parts if p]).resolve()
    if target.is_dir() and _inside(target, root):
        if not raw.endswith("/"):
            return Found(redirect=raw + "/")
        target = (target / "index.html").resolve()
    return Found(file=target) if _inside(target, root) and target.is_file() else Found()


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


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

    def __init__(self, address: tuple[str, int], dev: DevServer) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.dev = dev
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.connections_lock:
                self.connections.discard(request)

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
        found = locate(self.path, dev.output, dev.base_path)
        if found.redirect:
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", found.redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if found.file is None or not self._send_file(found.file, HTTPStatus.OK, head, problems):
            missing = dev.output / "404.html"
            if not (missing.is_file() and self._send_file(missing, HTTPStatus.NOT_FOUND, head, problems)):
                self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"Not found\n", head)

    def _send_file(self, file: Path, status: HTTPStatus, head: bool, problems: tuple[Problem, ...]) -> bool:
        """Send ``file``; False if it vanished meanwhile (a rebuild swapped the folder)."""
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
        live = self.dev.live
        seen, _ = live.snapshot()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(b"retry: 1000\n: connected\n\n")
            self.wfile.flush()
            while (state := live.wait_after(seen, KEEPALIVE)) is not None:
                version, problems = state
                if version == seen:
                    self.wfile.write(b": keepalive\n\n")
                else:
                    seen = version
                    self.wfile.write(f"event: {'problems' if problems else 'reload'}\ndata: {version}\n\n".encode())
                self.wfile.flush()
        except (ConnectionError, TimeoutError, OSError):
            return  # the page was closed or reloaded


def _size(handle: Any) -> int:
    import os

    return os.fstat(handle.fileno()).st_size


class DevServer:
    """Build once, then serve, watch and rebuild until ``stop()``.

    ``start()`` returns once the first build is done and the socket listens, so a
    caller (the CLI or a test) can print or use ``url`` at once.
    """

    def __init__(self, root: Path, *, bind: str = "127.0.0.1", port: int = 8000, drafts: bool = False,
                 log: Log = lambda message: None) -> None:
        self.root = root.resolve()
        self.bind = bind
        self.port = port
        self.drafts = drafts
        self.log = log
        self.output = self.root / SERVE_OUTPUT
        self.live = LiveState()
        self.base_path = "/"
        self.watcher = Watcher(self.root, self.rebuild)
        self.server: _Server | None = None
        self.thread: threading.Thread | None = None

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

    def rebuild(self) -> None:
        """One full build; its problems (or none) go to every open page. Never raises but UsageError
        on the first build: a dev server outlives its bugs and shows them instead."""
        started = time.perf_counter()
        first = self.live.version == 0
        try:
            result = build(self.root, self.output, drafts=self.drafts, in_place=True)
            self.base_path = load_config(self.root).base_path
        except BuildError as exc:  # ConfigError too: a broken config is one more problem to show
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
        self.live.publish(())
        for warning in result.warnings:
            self.log(str(warning))
        self.log(f"{'Built' if first else 'Rebuilt'} {counted(result.pages, 'page')} in "
                 f"{time.perf_counter() - started:.2f} s")
