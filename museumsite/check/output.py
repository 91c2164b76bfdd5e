"""``museumsite check``: reports on a site that a build does not fail for.

The built site (``check_output``): every page and feed of an output folder is read as a
browser and a feed reader would. Internal links, anchors (``#comment-12`` too) and images
must lead to files of the output; each ``hreflang`` set must contain the page itself and
``x-default`` and be the same on every page it names; every feed (Atom, RSS, JSON Feed)
must parse; every page must be reachable by links from a home page; a page should stay
under a size budget. Broken links, anchors, images and feeds are errors; the rest are
warnings, which count only under ``--strict``. It reads files, never the content, so it
checks what readers get, whatever theme or plugin made it.

``--translations``: per language, the entries that have no version in it and the
interface strings its catalogues do not translate. The list of interface strings is
the theme's ``messages.pot``, which ``pybabel extract`` makes from the templates. A
missing translation is not an error (lists link the original, and the interface falls
back to English), so the report is informative unless ``--strict`` asks for a clean one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from museumsite.check.findings import Finding, page_sources, trace
from museumsite.config import SiteConfig
from museumsite.content.assemble import load_site
from museumsite.errors import Problems, counted
from museumsite.lang.i18n import load_interface
from museumsite.render.chain import default_theme_dir, locale_dirs


@dataclass(frozen=True, slots=True)
class LanguageReport:
    lang: str
    untranslated_entries: tuple[str, ...]  # source paths of the originals
    missing_strings: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.untranslated_entries and not self.missing_strings


def check_translations(root: Path) -> list[LanguageReport]:
    """What each language of the site lacks, the default language included (for its strings)."""
    site = load_site(root.resolve(), Problems())
    config = site.config
    interface, _ = load_interface(locale_dirs(config), config.all_languages, config.root)
    messages = interface_messages()
    reports = []
    for lang in config.all_languages:
        untranslated = tuple(sorted(
            original.source.path for original in (site.original(e.key) for e in site.entries)
            if original is not None and all(v.lang != lang for v in site.versions(original))))
        missing = tuple(m for m in messages if not interface.translated(lang, m))
        reports.append(LanguageReport(lang=lang, untranslated_entries=tuple(dict.fromkeys(untranslated)),
                                      missing_strings=missing))
    return reports


def interface_messages() -> tuple[str, ...]:
    """Every interface string of the default theme, from its catalogue template."""
    from babel.messages.pofile import read_po

    with (default_theme_dir() / "locales" / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    return tuple(m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id)


def format_report(reports: list[LanguageReport]) -> str:
    lines = []
    for report in reports:
        state = "complete" if report.complete else (
            f"{counted(len(report.untranslated_entries), 'entry', 'entries')} without a translation, "
            f"{counted(len(report.missing_strings), 'interface string')} missing")
        lines.append(f"{report.lang}: {state}")
        lines += [f"  untranslated: {path}" for path in report.untranslated_entries]
        lines += [f"  missing string: {message!r}" for message in report.missing_strings]
    return "\n".join(lines)


# ---------------------------------------------------------------- the built site

FEED_NAMES = ("atom.xml", "rss.xml", "feed.json")
# Attributes that load an image: a missing file is a missing image, not a broken link.
IMAGE_ATTRIBUTES = {("img", "src"), ("img", "srcset"), ("source", "srcset"), ("video", "poster"),
                    ("input", "src")}
LINK_ATTRIBUTES = {("a", "href"), ("area", "href"), ("link", "href"), ("script", "src"), ("source", "src"),
                   ("iframe", "src"), ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data")}


@dataclass(frozen=True, slots=True)
class Page:
    """What the checks need of one HTML file."""

    url: str  # site path, "/fr/posts/x/"
    ids: frozenset[str]
    refs: tuple[tuple[str, str, str], ...]  # (element, attribute, value)
    hreflang: tuple[tuple[str, str], ...]  # (language, absolute URL) of <link rel=alternate hreflang>
    redirect: bool
    size: int


@dataclass(frozen=True, slots=True)
class OutputReport:
    pages: int
    feeds: int
    links: int
    findings: tuple[Finding, ...]
    external_checked: int = 0
    external_note: str = ""
    # Outside links not asked because they lead to a private or local address: (page, URL, why).
    external_skipped: tuple[tuple[str, str, str], ...] = ()


def check_output(output: Path, config: SiteConfig, *, max_kb: int = 100, external: bool = False,
                 timeout: float = 5.0, external_private: bool = False) -> OutputReport:
    """Every check over the files of ``output``, the site as ``config.base_url`` publishes it."""
    pages = {page.url: page for page in _read_pages(output, config.base_url)}
    base = urlsplit(config.base_url)
    old = _old_hosts(config)
    findings: list[Finding] = []
    outside: dict[str, str] = {}
    feeds: set[str] = {p.relative_to(output).as_posix() for p in output.rglob("*")
                       if p.is_file() and p.name.endswith(FEED_NAMES)}
    count = 0
    for page in pages.values():
        for element, attribute, value in page.refs:
            for ref in _split_srcset(value) if attribute == "srcset" else [value]:
                count += 1
                kind = "image" if (element, attribute) in IMAGE_ATTRIBUTES else "link"
                target = urljoin(config.base_url + page.url.lstrip("/"), ref.strip())
                parts = urlsplit(target)
                if parts.scheme not in ("http", "https"):
                    continue
                if parts.netloc != base.netloc or not parts.path.startswith(config.base_path):
                    outside.setdefault(target, page.url)
                    if (parts.hostname or "").lower().removeprefix("www.") in old:
                        findings.append(Finding("old-site", page.url, ref,
                                                f"a link to the old site ({parts.hostname}) that an import left"))
                    continue
                findings.extend(_check_internal(output, pages, page, kind, ref, parts.path[len(config.base_path):],
                                                unquote(parts.fragment)))
        findings.extend(_check_hreflang(page, pages, config))
        if page.size > max_kb * 1024:
            findings.append(Finding("size", page.url, "", f"{page.size / 1024:.1f} KB, over the {max_kb} KB budget"))
    for rel in sorted(feeds):
        findings.extend(_check_feed(output / rel, "/" + rel))
    findings.extend(_orphans(pages, config))
    checked, note = 0, ""
    skipped: tuple[tuple[str, str, str], ...] = ()
    if external:
        from museumsite.check.external import check_external

        result = check_external(sorted(outside), timeout, allow_private=external_private)
        checked = result.checked
        skipped = tuple((outside[a.url], a.url, a.reason) for a in result.skipped)
        if result.offline:
            note = f"no network: none of the {len(outside)} outside links answered; they were not checked"
        for answer in result.broken:
            findings.append(Finding("external", outside[answer.url], answer.url, f"{answer.status} {answer.reason}"))
        for answer in result.unreachable:
            findings.append(Finding("unreachable", outside[answer.url], answer.url,
                                    f"no answer ({answer.reason}); try again later"))

    sources = page_sources(config) if findings else {}
    traced = {trace(finding, sources, config.root, config) for finding in findings}
    return OutputReport(pages=len(pages), feeds=len(feeds), links=count, external_checked=checked,
                        external_note=note, external_skipped=skipped,
                        findings=tuple(sorted(traced, key=_order)))


def _old_hosts(config: SiteConfig) -> set[str]:
    """The hosts imports came from (the import manifest remembers them), unless the site itself lives there."""
    from museumsite.importers.contentfile import old_hosts

    own = (urlsplit(config.base_url).hostname or "").lower().removeprefix("www.")
    return {h.removeprefix("www.") for h in old_hosts(config.root)} - {own}


def _order(finding: Finding) -> tuple[bool, str, str, str]:
    return (not finding.error, finding.page, finding.kind, finding.target)


def _read_pages(output: Path, config_url: str) -> Iterator[Page]:
    import lxml.html

    for path in sorted(output.rglob("*.html")):
        rel = path.relative_to(output).as_posix()
        url = "/" + (rel.removesuffix("index.html") if rel == "index.html" or rel.endswith("/index.html") else rel)
        data = path.read_bytes()
        try:
            root = lxml.html.fromstring(data)
        except Exception:  # noqa: BLE001 (an empty or binary file named .html: nothing to follow)
            yield Page(url, frozenset(), (), (), False, len(data))
            continue
        ids = frozenset(str(v) for v in root.xpath("//@id | //a/@name"))
        refs = tuple((str(el.tag), name, str(el.get(name))) for el in root.iter() if isinstance(el.tag, str)
                     for name in ("href", "src", "srcset", "poster", "data")
                     if el.get(name) is not None and ((el.tag, name) in LINK_ATTRIBUTES
                                                      or (el.tag, name) in IMAGE_ATTRIBUTES))
        hreflang = tuple((str(link.get("hreflang")), urljoin(config_url + url.lstrip("/"), str(link.get("href"))))
                         for link in root.xpath("//head/link[@hreflang][@href]")
                         if "alternate" in (link.get("rel") or "").split() and not link.get("type"))
        redirect = bool(root.xpath("//meta[translate(@http-equiv, 'REFSH', 'refsh')='refresh']"))
        yield Page(url, ids, refs, hreflang, redirect, len(data))


def _split_srcset(value: str) -> list[str]:
    return [candidate.split()[0] for candidate in value.split(",") if candidate.strip()]


def _check_internal(output: Path, pages: dict[str, Page], page: Page, kind: str, ref: str, rel: str,
                    fragment: str) -> list[Finding]:
    rel = unquote(rel)
    target = output / rel
    if not rel or rel.endswith("/"):
        target = target / "index.html"
    elif target.is_dir():
        target, rel = target / "index.html", rel + "/"
    if not target.is_file():
        what = "image" if kind == "image" else "page or file"
        return [Finding(kind, page.url, ref, f"missing {what}: /{rel} is not in the output")]
    if fragment and fragment != "top" and target.suffix == ".html":
        linked = pages.get("/" + target.relative_to(output).as_posix().removesuffix("index.html"))
        if linked is not None and fragment not in linked.ids:
            return [Finding("anchor", page.url, ref, f"{linked.url} has no id=\"{fragment}\"")]
    return []


def _check_hreflang(page: Page, pages: dict[str, Page], config: SiteConfig) -> list[Finding]:
    """Each version names every version, itself and x-default included, and all name the same ones."""
    if not page.hreflang or page.redirect:
        return []
    findings = []
    own = dict(page.hreflang)
    me = config.base_url + page.url.lstrip("/")
    if me not in own.values():
        findings.append(Finding("hreflang", page.url, "", "its hreflang links do not include the page itself"))
    if "x-default" not in own:
        findings.append(Finding("hreflang", page.url, "", "its hreflang links have no x-default"))
    for url in sorted(set(own.values())):
        path = urlsplit(url).path
        if url == me or not path.startswith(config.base_path):
            continue
        other = pages.get("/" + path[len(config.base_path):])
        if other is not None and dict(other.hreflang) != own:
            findings.append(Finding("hreflang", page.url, url, "that version lists other alternates than this page"))
    return findings


def _check_feed(path: Path, url: str) -> list[Finding]:
    data = path.read_bytes()
    if path.suffix == ".json":
        from museumsite.feeds.jsonfeed import json_feed_problems

        try:
            document: Any = json.loads(data)
        except ValueError as exc:
            return [Finding("feed", url, "", f"not JSON: {exc}")]
        return [Finding("feed", url, "", f"not a JSON Feed 1.1: {problem}") for problem in json_feed_problems(document)]
    import feedparser

    # Well-formedness and structure are what matter here; sanitizing every post body would take most of the time.
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if parsed.bozo:
        return [Finding("feed", url, "", f"a feed reader cannot read it: {parsed.get('bozo_exception')}")]
    if not parsed.version:
        return [Finding("feed", url, "", "not an Atom or RSS feed")]
    return []


def _orphans(pages: dict[str, Page], config: SiteConfig) -> list[Finding]:
    """Pages no chain of links leads to from a home page (redirects and the 404 page are meant to be)."""
    from museumsite.urls import localize

    base = urlsplit(config.base_url)
    todo = [localize("/", lang, config.language, config.urls.language) for lang in config.all_languages]
    seen: set[str] = set()
    while todo:
        url = todo.pop()
        if url in seen or url not in pages:
            continue
        seen.add(url)
        for element, _, value in pages[url].refs:
            if element in ("a", "area"):
                parts = urlsplit(urljoin(config.base_url + url.lstrip("/"), value))
                if parts.netloc == base.netloc and parts.path.startswith(config.base_path):
                    path = "/" + unquote(parts.path[len(config.base_path):])
                    todo.append(path if path in pages or path.endswith("/") else path + "/")
    return [Finding("orphan", url, "", "no link leads to this page from a home page")
            for url, page in sorted(pages.items())
            if url not in seen and not page.redirect and not url.endswith("/404.html")]


def report_json(report: OutputReport | None, translations: list[LanguageReport] | None) -> str:
    """The machine-readable report of ``--format json``."""
    document: dict[str, Any] = {}
    if report is not None:
        document.update(pages=report.pages, feeds=report.feeds, links=report.links,
                        errors=sum(f.error for f in report.findings),
                        warnings=sum(not f.error for f in report.findings),
                        findings=[{"kind": f.kind, "page": f.page, "target": f.target, "message": f.message,
                                   "severity": "error" if f.error else "warning", "source": f.source or None,
                                   "line": f.line, "hint": f.hint} for f in report.findings],
                        external={"checked": report.external_checked, "note": report.external_note,
                                  "skipped": [{"page": page, "url": url, "reason": reason}
                                              for page, url, reason in report.external_skipped]})
    if translations is not None:
        document["translations"] = [{"lang": r.lang, "untranslated_entries": list(r.untranslated_entries),
                                     "missing_strings": list(r.missing_strings)} for r in translations]
    return json.dumps(document, ensure_ascii=False, indent=2)


def _finding_text(finding: Finding) -> str:
    """Like the build's problems: ``path:line: error: ...`` and a ``hint:`` line; the page when it is not the file."""
    where = f"{finding.source}:{finding.line}" if finding.source and finding.line else finding.source or finding.page
    text = (f"{where}: {'error' if finding.error else 'warning'}: {finding.kind}: "
            + (f"{finding.target}: " if finding.target else "") + finding.message
            + (f" (on {finding.page})" if finding.source else ""))
    return text + (f"\n  hint: {finding.hint}" if finding.hint else "")


def report_text(report: OutputReport) -> str:
    lines = [_finding_text(f) for f in report.findings]
    if report.external_note:
        lines.append(f"note: {report.external_note}")
    lines += [f"{page}: note: {url}: {reason} (--external-private asks private addresses too)"
              for page, url, reason in report.external_skipped]
    errors = sum(f.error for f in report.findings)
    lines.append(f"Checked {counted(report.pages, 'page')}, {counted(report.feeds, 'feed')} and "
                 f"{counted(report.links, 'link')}"
                 + (f" ({counted(report.external_checked, 'outside link')} asked)" if report.external_checked else "")
                 + f": {counted(errors, 'error')}, {counted(len(report.findings) - errors, 'warning')}.")
    return "\n".join(lines)
