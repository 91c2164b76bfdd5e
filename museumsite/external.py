"""``museumsite check --external``: do the site's links to other hosts still answer?

One HEAD request per distinct URL (GET when a server refuses HEAD), a few at a time, each
with a short timeout. A 4xx or 5xx answer is a broken link. A host that does not answer
at all is only a warning, since it may be down for a minute. When no URL answers at all,
the machine most likely has no network: that is said once and nothing is reported, so a
check run offline does not fail for it.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

USER_AGENT = "museumsite-check (+https://pypi.org/project/museumsite/)"


@dataclass(frozen=True, slots=True)
class Answer:
    url: str
    status: int  # the HTTP status; 0 when no answer came
    reason: str  # why there was no answer, or the status text


@dataclass(frozen=True, slots=True)
class ExternalResult:
    checked: int
    broken: tuple[Answer, ...]  # 4xx and 5xx
    unreachable: tuple[Answer, ...]  # no answer, while other hosts did answer
    offline: bool  # no URL answered: probably no network; nothing reported


def check_external(urls: list[str], timeout: float = 5.0, workers: int = 8) -> ExternalResult:
    """Ask every distinct URL once (without its fragment)."""
    distinct = sorted({url.split("#", 1)[0] for url in urls})
    if not distinct:
        return ExternalResult(checked=0, broken=(), unreachable=(), offline=False)
    opener = urllib.request.build_opener()  # reads the proxy settings of the environment now
    with ThreadPoolExecutor(max_workers=min(workers, len(distinct))) as pool:
        answers = list(pool.map(lambda url: ask(opener, url, timeout), distinct))
    if not any(a.status for a in answers):
        return ExternalResult(checked=0, broken=(), unreachable=(), offline=True)
    return ExternalResult(checked=len(answers), broken=tuple(a for a in answers if a.status >= 400),
                          unreachable=tuple(a for a in answers if not a.status), offline=False)


def ask(opener: urllib.request.OpenerDirector, url: str, timeout: float) -> Answer:
    """HEAD, then GET for servers that do not allow HEAD (405, 501) or forbid it (403 on some CDNs)."""
    answer = _request(opener, url, "HEAD", timeout)
    if answer.status in (403, 405, 501):
        answer = _request(opener, url, "GET", timeout)
    return answer


def _request(opener: urllib.request.OpenerDirector, url: str, method: str, timeout: float) -> Answer:
    request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
    try:
        with opener.open(request, timeout=timeout) as response:
            return Answer(url, int(response.status), str(response.reason))
    except urllib.error.HTTPError as exc:
        return Answer(url, int(exc.code), str(exc.reason))
    except (urllib.error.URLError, OSError, ValueError) as exc:  # DNS, refused, timeout, TLS
        reason = getattr(exc, "reason", exc)
        return Answer(url, 0, str(reason) or type(exc).__name__)
