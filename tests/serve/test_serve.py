"""``serve`` over loopback and ``clean``: real sites, a real server on a free port, real files edited.

No assertion is about time: waits are generous timeouts on the events stream, which
fail a test only when an event never comes.
"""

from __future__ import annotations

import http.client
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import html5lib
import pytest
from watchdog import events as fs

from museumsite.build import build
from museumsite.cli import _parser, main
from museumsite.incremental.store import OUTPUT_MANIFEST
from museumsite.serve.live import EVENTS_PATH, SCRIPT_PATH
from museumsite.serve.server import SERVE_OUTPUT, DevServer, is_loopback, locate
from museumsite.serve.watch import _Changes, is_relevant

from support import SMALL_SITE, MakeSite, save, until

WAIT = 60.0  # seconds: only ever a limit for waiting, never a measured expectation
NS = {"h": "http://www.w3.org/1999/xhtml"}


@pytest.fixture
def served(make_site: MakeSite) -> Iterator[DevServer]:
    server = DevServer(make_site(SMALL_SITE), port=0)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def get(server: DevServer, path: str, method: str = "GET") -> tuple[int, http.client.HTTPResponse, bytes]:
    host, port = server.server.server_address[:2]  # type: ignore[union-attr]
    connection = http.client.HTTPConnection(str(host), int(port), timeout=WAIT)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, response, response.read()
    finally:
        connection.close()


class Events:
    """An open ``/__museumsite/events`` stream, read line by line."""

    def __init__(self, server: DevServer) -> None:
        host, port = server.server.server_address[:2]  # type: ignore[union-attr]
        self.connection = http.client.HTTPConnection(str(host), int(port), timeout=WAIT)
        self.connection.request("GET", EVENTS_PATH)
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type") == "text/event-stream"
        while self.response.readline().strip() != b": connected":
            pass  # from here on, every build sends one event

    def next_event(self) -> str:
        while line := self.response.readline():
            if line.startswith(b"event: "):
                return line[len(b"event: "):].strip().decode()
        return ""  # the stream ended

    def close(self) -> None:
        self.connection.close()


def edit(path: Path, old: str, new: str) -> None:
    save(path, path.read_text(encoding="utf-8").replace(old, new))


def page(body: bytes):  # type: ignore[no-untyped-def]
    return html5lib.parse(body, namespaceHTMLElements=True)


def overlay_of(body: bytes):  # type: ignore[no-untyped-def]
    return page(body).find(".//h:div[@id='museumsite-overlay']", NS)


def test_serves_pages_with_the_live_script_in_responses_only(served: DevServer) -> None:
    status, response, body = get(served, "/")
    assert status == 200 and response.getheader("Content-Type") == "text/html; charset=utf-8"
    scripts = [s.get("src") for s in page(body).iter("{http://www.w3.org/1999/xhtml}script")]
    assert SCRIPT_PATH in scripts
    assert overlay_of(body) is None
    status, _, body = get(served, "/talks/opening/")
    assert status == 200 and b"Opening talk" in body
    status, response, _ = get(served, "/talks/opening")
    assert status == 302 and response.getheader("Location") == "/talks/opening/"
    status, response, body = get(served, SCRIPT_PATH)
    assert status == 200 and b"EventSource" in body
    status, _, body = get(served, "/sitemap.xml")
    assert status == 200 and b"__museumsite" not in body
    status, response, body = get(served, "/talks/opening/", method="HEAD")
    assert status == 200 and body == b"" and int(response.getheader("Content-Length") or 0) > 0
    status, _, body = get(served, "/no/such/page/")
    assert status == 404 and b"__museumsite" in body  # the site's 404.html, live too
    output = served.root / SERVE_OUTPUT
    assert (output / "index.html").is_file() and (output / "404.html").is_file()
    for file in output.rglob("*"):
        assert not file.is_file() or b"__museumsite" not in file.read_bytes(), file
    assert not (served.root / "_site").exists()  # serve leaves the deploy folder alone


@pytest.mark.slow
def test_a_save_seen_half_written_shows_no_problem_when_the_rest_arrives_during_the_build(
        served: DevServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """An editor that empties museumsite.yaml, then writes it, may be paused in between on a busy machine:
    the build then reads an empty config. The rest of the save arrives while it runs; the problem it found
    is stale, and showing it made every open page flash an error (and failed this suite's reload test)."""
    import museumsite.serve.server as server_module

    config = served.root / "museumsite.yaml"
    good = config.read_text(encoding="utf-8").replace("title: Test site", "title: Saved site")
    real_build = server_module.build
    calls: list[int] = []

    def build_while_the_save_ends(*args: object, **kwargs: object) -> object:
        calls.append(1)
        try:
            return real_build(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            if len(calls) == 1:  # the first build reads the emptied file; the rest of the save lands now
                config.write_text(good, encoding="utf-8")
                assert until(served.watcher.changed.is_set), "the watcher never saw the end of the save"

    monkeypatch.setattr(server_module, "build", build_while_the_save_ends)
    events = Events(served)
    try:
        config.write_text("", encoding="utf-8")
        assert events.next_event() == "reload"
        assert len(calls) == 2
        assert b"Saved site" in get(served, "/")[2]
    finally:
        events.close()


@pytest.mark.slow
def test_an_edit_rebuilds_and_sends_a_reload(served: DevServer) -> None:
    events = Events(served)
    try:
        edit(served.root / "content/talks/opening.md", "title: Opening talk", "title: Grand opening")
        assert events.next_event() == "reload"
        _, _, body = get(served, "/talks/opening/")
        assert b"Grand opening" in body
        # A template of the site's own theme overrides the default one: a new folder, watched once it exists.
        template = served.root / "themes/default/templates/404.html"
        template.parent.mkdir(parents=True)
        template.write_text("<!doctype html><title>x</title><p>Lost, version 1</p>\n", encoding="utf-8")
        assert events.next_event() == "reload"
        assert b"Lost, version 1" in get(served, "/nowhere/")[2]
        edit(template, "version 1", "version 2")
        assert events.next_event() == "reload"
        assert b"Lost, version 2" in get(served, "/nowhere/")[2]
        shutil.rmtree(served.root / "themes")  # back to the packaged theme, then a new theme folder again
        assert events.next_event() == "reload"
        assert b"Lost, version" not in get(served, "/nowhere/")[2]
        template.parent.mkdir(parents=True)
        template.write_text("<!doctype html><title>x</title><p>Lost, version 3</p>\n", encoding="utf-8")
        assert events.next_event() == "reload"
        edit(template, "version 3", "version 4")
        assert events.next_event() == "reload"
        assert b"Lost, version 4" in get(served, "/nowhere/")[2]
        edit(served.root / "museumsite.yaml", "title: Test site", "title: Renamed site")
        assert events.next_event() == "reload"
        _, _, body = get(served, "/")
        assert b"Renamed site" in body
    finally:
        events.close()


def test_a_broken_file_shows_an_overlay_until_fixed(served: DevServer) -> None:
    events = Events(served)
    talk = served.root / "content/talks/closing.md"
    good = talk.read_text(encoding="utf-8")
    try:
        talk.write_text(good.replace("speakers: [ada]", 'speakers: ["<img src=x onerror=alert(1)>"]')
                        .replace("title: Closing talk", "title: Closing talk v2"), encoding="utf-8")
        assert events.next_event() == "problems"
        status, _, body = get(served, "/talks/closing/")
        assert status == 200 and b"Closing talk v2" not in body  # the last good build, still served
        overlay = overlay_of(body)
        assert overlay is not None
        text = "".join(overlay.itertext())
        assert "content/talks/closing.md:4" in text and "<img src=x onerror=alert(1)>" in text
        assert overlay.find(".//h:img", NS) is None  # the message is shown, not run
        _, _, other = get(served, "/speakers/ada/")
        assert overlay_of(other) is not None and b"Ada Lovelace" in other

        talk.write_text(good.replace("title: Closing talk", "title: Closing talk v2"), encoding="utf-8")
        assert events.next_event() == "reload"
        _, _, body = get(served, "/talks/closing/")
        assert overlay_of(body) is None and b"Closing talk v2" in body
    finally:
        events.close()


def test_broken_front_matter_and_config_name_their_file_and_line(served: DevServer) -> None:
    events = Events(served)
    post = served.root / "content/posts/second.md"
    good = post.read_text(encoding="utf-8")
    config = served.root / "museumsite.yaml"
    good_config = config.read_text(encoding="utf-8")
    try:
        save(post, good.replace("tags: [news]", "tags: [news"))
        assert events.next_event() == "problems"
        _, _, body = get(served, "/")
        text = "".join(overlay_of(body).itertext())
        assert "content/posts/second.md:4" in text and "invalid YAML" in text
        save(post, good)
        assert events.next_event() == "reload"
        save(config, good_config + "posts_per_pag: 3\n")
        assert events.next_event() == "problems"
        _, _, body = get(served, "/")
        text = "".join(overlay_of(body).itertext())
        assert "museumsite.yaml:7" in text and "posts_per_page" in text  # the did-you-mean hint
        save(config, good_config)
        assert events.next_event() == "reload"
        _, _, body = get(served, "/")
        assert overlay_of(body) is None
    finally:
        events.close()


def test_paths_outside_the_output_are_never_served(served: DevServer, tmp_path: Path) -> None:
    output = served.root / SERVE_OUTPUT
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret\n", encoding="utf-8")
    os.symlink(secret, output / "leak.txt")
    os.symlink(tmp_path, output / "outside")
    for path in ["/../museumsite.yaml", "/%2e%2e/museumsite.yaml", "/%2E%2E%2Fmuseumsite.yaml",
                 "/talks/../../museumsite.yaml", "/..%2f..%2fmuseumsite.yaml", "/%2e%2e/%2e%2e/site/museumsite.yaml",
                 "/leak.txt", "/outside/secret.txt", "/outside/site/museumsite.yaml", "/%00", "/..\\museumsite.yaml"]:
        status, _, body = get(served, path)
        assert status in (403, 404), path
        assert b"top secret" not in body and b"title: Test site" not in body, path
    # The same decisions without a server, symlinks included.
    assert locate("/leak.txt", output).file is None
    assert locate("/talks/opening/", output).file == (output / "talks/opening/index.html").resolve()
    assert locate("/proceedings/talks/opening/", output, "/proceedings/").file is not None
    assert locate("/talks/opening/", output, "/proceedings/").file is None
    assert locate("/", output, "/proceedings/").redirect == "/proceedings/"


def test_bound_to_loopback_unless_asked(served: DevServer, make_site: MakeSite) -> None:
    assert served.server is not None and served.server.server_address[0] == "127.0.0.1"
    assert served.url.startswith("http://127.0.0.1:")
    args = _parser().parse_args(["serve"])
    assert (args.bind, args.port) == ("127.0.0.1", 8000)
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10") and not is_loopback("example.org")
    said: list[str] = []
    wide = DevServer(make_site(SMALL_SITE, name="wide"), bind="0.0.0.0", port=0, log=said.append)
    wide.start()
    wide.stop()
    assert any(line.startswith("warning: serving on 0.0.0.0") for line in said)


def test_editor_files_and_outputs_never_trigger_a_rebuild(tmp_path: Path) -> None:
    root = tmp_path
    for name in ["content/posts/a.md", "themes/mine/templates/base.html", "locales/fr/LC_MESSAGES/messages.po",
                 "museumsite.yaml", "content/static/logo.png", "themes"]:
        assert is_relevant(root / name, root), name
    for name in ["content/posts/.a.md.swp", "content/posts/a.md~", "content/posts/.#a.md", "content/posts/4913",
                 "content/posts/a.md.tmp", "content/.hidden", "_site/index.html", ".museumsite-cache/markup.json",
                 "README.md", "museumsite.yaml~", "content/.git/config"]:
        assert not is_relevant(root / name, root), name
    assert not is_relevant(tmp_path.parent / "other", root)


def test_reading_a_source_is_not_a_change(tmp_path: Path) -> None:
    """Every build opens every source; were an open a change, each build would start the next."""
    changed = threading.Event()
    handler = _Changes(tmp_path, changed)
    post, folder = str(tmp_path / "content/posts/a.md"), str(tmp_path / "content/posts")
    for event in [fs.FileOpenedEvent(post), fs.FileClosedNoWriteEvent(post), fs.DirModifiedEvent(folder)]:
        handler.dispatch(event)
        assert not changed.is_set(), event
    for event in [fs.FileModifiedEvent(post), fs.FileClosedEvent(post), fs.FileCreatedEvent(post),
                  fs.FileDeletedEvent(post), fs.DirDeletedEvent(folder), fs.DirCreatedEvent(folder),
                  fs.FileMovedEvent(str(tmp_path / "content/posts/.a.md.swp"), post)]:
        changed.clear()
        handler.dispatch(event)
        assert changed.is_set(), event


def test_stop_ends_open_streams_and_joins_threads(make_site: MakeSite) -> None:
    server = DevServer(make_site(SMALL_SITE), port=0)
    server.start()
    events = Events(server)
    server.stop()
    assert events.next_event() == ""  # the stream ended instead of hanging
    events.close()
    assert server.thread is not None and not server.thread.is_alive()
    assert not server.watcher.thread.is_alive() and not server.watcher.observer.is_alive()


def test_a_site_that_never_built_shows_the_overlay_then_the_site(make_site: MakeSite) -> None:
    files = dict(SMALL_SITE)
    files["content/posts/third.md"] = "---\ntitle: Third post\n---\nNo date.\n"
    server = DevServer(make_site(files), port=0)
    server.start()
    try:
        events = Events(server)
        status, _, body = get(server, "/")
        assert status == 503
        assert "content/posts/third.md" in "".join(overlay_of(body).itertext())
        (server.root / "content/posts/third.md").write_text(
            textwrap.dedent(SMALL_SITE["content/posts/third.md"]).lstrip("\n"), encoding="utf-8")
        assert events.next_event() == "reload"
        status, _, body = get(server, "/")
        assert status == 200 and overlay_of(body) is None
        events.close()
    finally:
        server.stop()


def _interrupted(command: list[str], meanwhile: Callable[[int], None] = lambda port: None,
                 press: Callable[[subprocess.Popen[str]], None] = lambda process: process.send_signal(signal.SIGINT),
                 ) -> tuple[int | None, str]:
    """Start ``museumsite serve`` (``command``), call ``meanwhile`` with its port, press Ctrl-C (``press``); its exit
    code and its standard error."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONFAULTHANDLER": "1"})
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("Serving ") and " at http://127.0.0.1:" in line
        meanwhile(int(line.rsplit(":", 1)[1].split("/")[0]))
        press(process)
        try:
            _, err = process.communicate(timeout=WAIT)
        except subprocess.TimeoutExpired:  # what was each thread doing? (the fault handler prints it on SIGABRT)
            process.send_signal(signal.SIGABRT)
            _, err = process.communicate(timeout=WAIT)
            raise AssertionError(f"serve did not stop on Ctrl-C:\n{err}") from None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return process.returncode, err


@pytest.mark.slow
def test_ctrl_c_stops_the_command_cleanly(make_site: MakeSite) -> None:
    root = make_site(SMALL_SITE)

    def visit(port: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        connection.request("GET", "/")
        assert connection.getresponse().status == 200
        connection.close()

    code, err = _interrupted([sys.executable, "-m", "museumsite", "serve", "--site", str(root), "--port", "0"], visit)
    assert code == 0
    assert err.strip().splitlines()[-1] == "Stopped." and "Traceback" not in err


def test_ctrl_c_stops_a_server_whose_parent_ignored_it(make_site: MakeSite) -> None:
    """A script that starts ``serve`` in the background leaves it ignoring SIGINT; Ctrl-C (or ``kill -INT``)
    must still stop it."""
    root = make_site(SMALL_SITE)
    command = " ".join(shlex.quote(part) for part in
                       [sys.executable, "-m", "museumsite", "serve", "--site", str(root), "--port", "0"])
    code, err = _interrupted(["sh", "-c", f"trap '' INT; exec {command}"])  # as a script's background job
    assert code == 0 and err.strip().splitlines()[-1] == "Stopped."


TGKILL = {"x86_64": 234, "aarch64": 131}.get(platform.machine())  # the system call that signals one thread


@pytest.mark.skipif(sys.platform != "linux" or TGKILL is None, reason="signals one thread of a process: Linux's tgkill")
def test_ctrl_c_handed_to_another_thread_stops_the_server(make_site: MakeSite) -> None:
    """The system hands a process's SIGINT to any of its threads that does not block it; Python runs the
    handler in the main thread, which must then not sleep through it (it slept an hour at a time)."""
    import ctypes

    def to_a_thread_not_the_main_one(process: subprocess.Popen[str]) -> None:
        others = sorted(int(task) for task in os.listdir(f"/proc/{process.pid}/task") if int(task) != process.pid)
        assert others, "serve runs threads beside the main one"
        libc = ctypes.CDLL(None, use_errno=True)
        assert libc.syscall(TGKILL, process.pid, others[0], signal.SIGINT) == 0, ctypes.get_errno()

    root = make_site(SMALL_SITE)
    code, err = _interrupted([sys.executable, "-m", "museumsite", "serve", "--site", str(root), "--port", "0"],
                             press=to_a_thread_not_the_main_one)
    assert code == 0 and err.strip().splitlines()[-1] == "Stopped."


def test_clean_removes_the_output_and_the_cache_only(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site(SMALL_SITE)
    build(root)
    (root / ".museumsite-cache" / "serve").mkdir()
    (root / "notes").mkdir()
    (root / "notes" / "keep.txt").write_text("mine\n", encoding="utf-8")
    before = sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                    if p.relative_to(root).parts[0] not in ("_site", ".museumsite-cache"))
    assert (root / "_site" / OUTPUT_MANIFEST).is_file() and (root / ".museumsite-cache").is_dir()
    assert main(["clean", "--site", str(root)]) == 0
    out = capsys.readouterr().out
    assert "Removed" in out and "_site" in out and ".museumsite-cache" in out
    assert not (root / "_site").exists() and not (root / ".museumsite-cache").exists()
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == before
    assert main(["clean", "--site", str(root)]) == 0
    assert "Nothing to remove." in capsys.readouterr().out


def test_clean_refuses_an_output_museumsite_did_not_write(make_site: MakeSite,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site(SMALL_SITE)
    build(root)
    (root / "_site" / OUTPUT_MANIFEST).unlink()
    assert main(["clean", "--site", str(root)]) == 2
    err = capsys.readouterr().err
    assert "refusing to remove" in err and OUTPUT_MANIFEST in err
    assert (root / "_site" / "index.html").is_file() and (root / ".museumsite-cache").is_dir()  # nothing removed
    (root / "museumsite.yaml").rename(root / "museumsite.yaml.bak")  # not a site folder any more
    (root / "_site" / OUTPUT_MANIFEST).write_text('{"files": []}\n', encoding="utf-8")
    assert main(["clean", "--site", str(root)]) == 2
    assert "no museumsite.yaml" in capsys.readouterr().err
    assert (root / "_site" / "index.html").is_file() and (root / ".museumsite-cache").is_dir()
