"""What ``serve`` adds to the pages it serves: the reload script and the error overlay.

Input: the bytes of an HTML page from the output and the problems of the last build.
Output: the same page with a script tag (and, after a failed build, an overlay listing
the problems) before ``</body>``. This happens in responses only: the files on disk
are exactly what ``build`` writes, ready to deploy.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Sequence

from museumsite.errors import Problem, counted

PREFIX = "/__museumsite/"
EVENTS_PATH = PREFIX + "events"
SCRIPT_PATH = PREFIX + "live.js"
SCRIPT_TAG = f'<script src="{SCRIPT_PATH}" data-museumsite-live></script>'
# A failed build sends "problems", a good one "reload"; either way the page is fetched again,
# and the server puts the overlay into it (or leaves it out), so the overlay has one source.
SCRIPT = b"""\
(function () {
  var source = new EventSource("/__museumsite/events");
  source.addEventListener("reload", function () { location.reload(); });
  source.addEventListener("problems", function () { location.reload(); });
})();
"""
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


class LiveState:
    """The outcome of the latest build, shared by the rebuild thread and the request threads.

    ``version`` grows at every build, good or not; an events stream sends one event each
    time it changes. ``problems`` is empty after a good build.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.version = 0
        self.problems: tuple[Problem, ...] = ()
        self.stopping = False

    def publish(self, problems: Sequence[Problem]) -> None:
        with self._changed:
            self.version += 1
            self.problems = tuple(problems)
            self._changed.notify_all()

    def snapshot(self) -> tuple[int, tuple[Problem, ...]]:
        with self._changed:
            return self.version, self.problems

    def wait_after(self, seen: int, timeout: float) -> tuple[int, tuple[Problem, ...]] | None:
        """The state once it differs from version ``seen`` (or ``timeout`` passed); None when stopping."""
        with self._changed:
            self._changed.wait_for(lambda: self.version != seen or self.stopping, timeout)
            return None if self.stopping else (self.version, self.problems)

    def stop(self) -> None:
        with self._changed:
            self.stopping = True
            self._changed.notify_all()


def inject(page: bytes, problems: Sequence[Problem]) -> bytes:
    """The page with the live script (and the overlay, if any) before its last ``</body>``."""
    addition = (overlay(problems) + SCRIPT_TAG).encode("utf-8")
    ends = list(_BODY_END.finditer(page))
    if not ends:
        return page + addition
    at = ends[-1].start()
    return page[:at] + addition + page[at:]


def overlay(problems: Sequence[Problem]) -> str:
    """An overlay listing each problem as ``path:line: message`` and its hint, all escaped."""
    if not problems:
        return ""
    count = len(problems)
    items = "".join(
        '<li style="margin:0 0 .8em"><code style="color:#ffb4a8">'
        f"{html.escape(f'{p.path}:{p.line}' if p.line else p.path)}</code>: {html.escape(p.message)}"
        + (f'<br><span style="color:#ccc">hint: {html.escape(p.hint)}</span>' if p.hint else "")
        + "</li>"
        for p in problems)
    return (
        '<div id="museumsite-overlay" role="alert" style="position:fixed;top:0;left:0;right:0;'
        "max-height:70vh;overflow:auto;z-index:2147483647;margin:0;padding:1em 1.5em;"
        'background:#2b0d0d;color:#fff;font:14px/1.5 ui-monospace,monospace;box-shadow:0 2px 12px #000">'
        '<button type="button" onclick="this.parentNode.remove()" aria-label="Hide" style="float:right;'
        'font:inherit;background:none;color:#fff;border:1px solid #fff;cursor:pointer">×</button>'
        f'<p style="margin:0 0 .8em;font-weight:bold">Build failed: {counted(count, "problem")}. '
        "The page below is the last good build; save a fix to reload.</p>"
        f'<ul style="margin:0;padding-left:1.2em">{items}</ul></div>')


def no_site_page(problems: Sequence[Problem]) -> bytes:
    """What every page shows while no build has ever succeeded."""
    page = ('<!doctype html><html><head><meta charset="utf-8"><title>Build failed</title></head>'
            "<body><p>No good build yet.</p></body></html>")
    return inject(page.encode("utf-8"), problems)
