"""``museumsite check --external``: do the site's links to other hosts still answer?

One HEAD request per distinct URL (GET when a server refuses HEAD), a few at a time, each
with a short timeout. A 4xx or 5xx answer is a broken link. A host that does not answer
at all is only a warning, since it may be down for a minute. When no URL answers at all,
the machine most likely has no network: that is said once and nothing is reported, so a
check run offline does not fail for it.

Outside links come from strangers too (comments, imported posts and schedules), so asking
them is making requests on a stranger's behalf from the machine that runs the check: a
link to ``http://192.168.1.1/reboot``, ``http://169.254.169.254/`` or ``http://0x7f.1/``
would reach that machine's own network (blind SSRF). So a URL is asked only when every
address its host resolves to is public, and the connection goes to one of those very
addresses rather than to a second lookup, which a rebinding name server could answer
differently. Each redirect is checked the same way before it is followed. Links to other
addresses are skipped and listed; ``allow_private`` (``--external-private``) asks them too,
for a site whose links are meant for an intranet. Through a proxy from the environment the
proxy makes the connection; the name must still resolve here to public addresses only.
"""

from __future__ import annotations

import base64
import http.client
import ipaddress
import socket
import ssl
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import SplitResult, quote, unquote, urljoin, urlsplit

USER_AGENT = "museumsite-check (+https://pypi.org/project/museumsite/)"
MAX_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SITE_LOCAL = ipaddress.ip_network("fec0::/10")
# Characters a URL may hold as they are; anything else (a space, a non-ASCII letter) is percent-encoded.
_URL_SAFE = "/%:@!$&'()*+,;=-._~?"

Classifier = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class Answer:
    url: str
    status: int  # the HTTP status; 0 when no answer came
    reason: str  # why there was no answer, or the status text
    skipped: bool = False  # not asked, or a redirect not followed: a private or local address


@dataclass(frozen=True, slots=True)
class ExternalResult:
    checked: int
    broken: tuple[Answer, ...]  # 4xx and 5xx
    unreachable: tuple[Answer, ...]  # no answer, while other hosts did answer
    offline: bool  # no URL answered: probably no network; nothing reported
    skipped: tuple[Answer, ...] = ()  # private or local addresses, not asked


def address_kind(address: str) -> str:
    """What is private about an IP address ('loopback', 'private'...), or '' for a public one.

    An IPv6 address that carries an IPv4 one (mapped, 6to4, NAT64) is judged by that one.
    ``ipaddress`` alone is not enough: it counts multicast and the old site-local range
    as global.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an address"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return address_kind(str(embedded))
        if ip in _SITE_LOCAL:
            return "site-local"
    checks = (("unspecified", ip.is_unspecified), ("loopback", ip.is_loopback), ("link-local", ip.is_link_local),
              ("multicast", ip.is_multicast),
              ("unique-local", isinstance(ip, ipaddress.IPv6Address) and ip in ipaddress.ip_network("fc00::/7")),
              ("reserved", ip.is_reserved), ("private", ip.is_private), ("not public", not ip.is_global))
    return next((kind for kind, hit in checks if hit), "")


def check_external(urls: list[str], timeout: float = 5.0, workers: int = 8, *, allow_private: bool = False,
                   classify: Classifier = address_kind) -> ExternalResult:
    """Ask every distinct URL once (without its fragment); ``classify`` judges each address."""
    distinct = sorted({url.split("#", 1)[0] for url in urls})
    if not distinct:
        return ExternalResult(checked=0, broken=(), unreachable=(), offline=False)
    rules = _Rules(timeout, allow_private, classify, urllib.request.getproxies())
    with ThreadPoolExecutor(max_workers=min(workers, len(distinct))) as pool:
        answers = list(pool.map(rules.ask, distinct))
    skipped = tuple(a for a in answers if a.skipped)
    asked = [a for a in answers if not a.skipped]
    if asked and not any(a.status for a in asked):
        return ExternalResult(checked=0, broken=(), unreachable=(), offline=True, skipped=skipped)
    return ExternalResult(checked=len(asked), broken=tuple(a for a in asked if a.status >= 400),
                          unreachable=tuple(a for a in asked if not a.status), offline=False, skipped=skipped)


@dataclass(frozen=True, slots=True)
class _Rules:
    """How to ask: the timeout, which addresses may be asked, the environment's proxies."""

    timeout: float
    allow_private: bool
    classify: Classifier
    proxies: dict[str, str]

    def ask(self, url: str) -> Answer:
        """HEAD, then GET for servers that do not allow HEAD (405, 501) or forbid it (403 on some CDNs)."""
        answer = self.follow(url, "HEAD")
        if answer.status in (403, 405, 501) and not answer.skipped:
            answer = self.follow(url, "GET")
        return answer

    def follow(self, url: str, method: str) -> Answer:
        """Ask ``url``, following redirects only to addresses that may be asked."""
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            parts = urlsplit(current)
            where = "" if current == url else f"redirects to {current}: "
            if parts.scheme not in ("http", "https") or not parts.hostname:
                return Answer(url, 0, f"{where}not a web address", skipped=bool(where))
            try:
                port = parts.port or (443 if parts.scheme == "https" else 80)
                addresses = self.addresses(parts.hostname, port)
            except _Refused as exc:
                return Answer(url, 0, f"{where}{exc}", skipped=True)
            except (OSError, ValueError, UnicodeError) as exc:  # no such name, no DNS, a bad port
                return Answer(url, 0, f"{where}{getattr(exc, 'strerror', None) or exc or type(exc).__name__}")
            try:
                status, reason, location = self.request(parts, port, addresses, method)
            except (http.client.HTTPException, OSError, ValueError, UnicodeError) as exc:  # refused, timeout, TLS
                return Answer(url, 0, f"{where}{exc or type(exc).__name__}")
            if status not in REDIRECTS or not location:
                return Answer(url, status, reason)
            current = urljoin(current, location.strip())
        return Answer(url, 0, f"more than {MAX_REDIRECTS} redirects")

    def addresses(self, host: str, port: int) -> list[str]:
        """Every address ``host`` resolves to, all of which must be public (unless allowed)."""
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        found = list(dict.fromkeys(str(info[4][0]) for info in infos))
        for address in found:
            kind = self.classify(address)
            if kind and not self.allow_private:
                shown = host if host == address else f"{host} ({address})"
                raise _Refused(f"{shown} is a {kind} address; not asked")
        return found

    def request(self, parts: SplitResult, port: int, addresses: list[str], method: str) -> tuple[int, str, str]:
        """(status, reason, Location) of one request, connected to one of ``addresses`` or through a proxy."""
        host = parts.hostname or ""
        target = quote(parts.path or "/", safe=_URL_SAFE) + (f"?{quote(parts.query, safe=_URL_SAFE)}"
                                                              if parts.query else "")
        proxy = None if urllib.request.proxy_bypass(host) else self.proxies.get(parts.scheme)
        headers = {"User-Agent": USER_AGENT}
        connection: http.client.HTTPConnection
        if proxy:
            connection, target, login = _through_proxy(proxy, parts, port, target, self.timeout)
            headers |= login
        elif parts.scheme == "https":
            connection = _PinnedTLS(host, port, addresses, self.timeout)
        else:
            connection = _Pinned(host, port, addresses, self.timeout)
        try:
            connection.request(method, target, headers=headers)
            response = connection.getresponse()
            return response.status, response.reason, response.getheader("Location") or ""
        finally:
            connection.close()


def _through_proxy(proxy: str, parts: SplitResult, port: int, target: str,
                   timeout: float) -> tuple[http.client.HTTPConnection, str, dict[str, str]]:
    """A connection through the environment's proxy: (connection, request target, headers to add).

    Plain HTTP asks the proxy for the absolute URL; HTTPS goes through a CONNECT tunnel,
    the certificate still verified for the link's host.
    """
    proxied = urlsplit(proxy if "//" in proxy else f"http://{proxy}")
    login = {"Proxy-Authorization": "Basic " + base64.b64encode(
        f"{unquote(proxied.username)}:{unquote(proxied.password or '')}".encode()).decode()} if proxied.username else {}
    if parts.scheme == "http":
        connection = http.client.HTTPConnection(proxied.hostname or "", proxied.port or 80, timeout=timeout)
        return connection, f"http://{parts.netloc.rsplit('@', 1)[-1]}{target}", login
    tunnel = http.client.HTTPSConnection(proxied.hostname or "", proxied.port or 80, timeout=timeout,
                                         context=ssl.create_default_context())
    tunnel.set_tunnel(parts.hostname or "", port, headers=login)
    return tunnel, target, {}


class _Refused(Exception):
    """A host that resolves to an address the check may not ask."""


def _connect(addresses: list[str], port: int, timeout: float | None) -> socket.socket:
    """A connection to the first of ``addresses`` that answers: those that were checked, no new lookup."""
    error: OSError = OSError("no address")
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as exc:
            error = exc
    raise error


class _Pinned(http.client.HTTPConnection):
    """Plain HTTP to one of the addresses that were checked (the Host header keeps the name)."""

    def __init__(self, host: str, port: int, addresses: list[str], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = _connect(self.addresses, self.port, self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    """HTTPS to one of the addresses that were checked; the certificate is verified for the name."""

    def __init__(self, host: str, port: int, addresses: list[str], timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = self.tls.wrap_socket(_connect(self.addresses, self.port, self.timeout), server_hostname=self.host)
