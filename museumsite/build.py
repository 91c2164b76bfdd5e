"""The pipeline: config -> load -> assemble -> markup -> render -> write.

``build()`` reads like the diagram in DESIGN.md. Every stage collects problems;
the build stops after assembling and converting (content problems, all at once)
and again after rendering (template problems and URL collisions), before anything
is written, so a failed build never touches the previous output.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from museumsite.config import SiteConfig, load_config
from museumsite.errors import ConfigError, Problems
from museumsite.incremental import noop as manifest
from museumsite.incremental import reuse
from museumsite.model import BuildResult, Document
from museumsite.output.write import build_lock, check_output_dir
from museumsite.render.theme import check_theme, theme_dirs

Progress = Callable[[str, int, int], None]
CACHE_DIR = ".museumsite-cache"


def build(root: Path, output: Path | None = None, *, drafts: bool = False, strict: bool = False,
          progress: Progress | None = None, use_cache: bool = True, in_place: bool = False,
          base_url: str | None = None) -> BuildResult:
    """Build the site in ``root`` into ``output`` (default ``root/_site``).

    Raises ConfigError (exit 2), UsageError (exit 2) or BuildError (exit 1) with
    every problem found; returns the result, warnings included, on success.
    Converted Markdown is kept in ``root/.museumsite-cache/`` (``use_cache=False``
    neither reads nor writes it). ``in_place`` lets a build that changes few files
    write them into the output one by one instead of swapping in a whole new tree
    (``serve`` does; see patch.py for what a reader may see meanwhile). ``base_url``
    replaces the config's, for a preview deploy at another address.
    """
    started = time.perf_counter()
    step = progress or (lambda stage, done, total: None)
    root = root.resolve()
    config = load_config(root, base_url)
    if theme_problems := check_theme(config):
        raise ConfigError(theme_problems)
    output = (output or root / "_site").resolve()
    check_output_dir(output, root)
    with build_lock(output, lambda: step("waiting for another build", 0, 0)):
        if not use_cache:
            return _build(root, config, output, drafts, strict, step, use_cache, in_place, started)
        record = manifest.record_path(root / CACHE_DIR, output)
        inputs = manifest.inputs_fingerprint(root, theme_dirs(config), [output, root / CACHE_DIR],
                                             (drafts, strict, str(output), config.base_url))
        if done := manifest.unchanged(record, inputs, output, time.perf_counter() - started):
            return done
        manifest.forget(record)
        result = _build(root, config, output, drafts, strict, step, use_cache, in_place, started)
        manifest.remember(record, inputs, result)
        return result


def _build(root: Path, config: SiteConfig, output: Path, drafts: bool, strict: bool, step: Progress,
           use_cache: bool, in_place: bool, started: float) -> BuildResult:
    """The stages, run while holding the site's build lock."""
    # The pipeline is imported here, not at the top: a no-op rebuild never needs it.
    from museumsite.comments.threads import attach_threads
    from museumsite.content.assemble import assemble_site
    from museumsite.content.load import list_static, load_comment_archives, load_documents
    from museumsite.content.validate import check_site
    from museumsite.feeds.comments import make_comment_feeds, plan_comment_feeds
    from museumsite.feeds.events import make_event_feeds
    from museumsite.feeds.jsonfeed import make_json_feeds
    from museumsite.feeds.posts import make_feeds, plan_feeds
    from museumsite.lang.i18n import load_interface
    from museumsite.markup.cache import MarkupCache, read_cache
    from museumsite.markup.convert import convert_site
    from museumsite.markup.pool import map_entries
    from museumsite.output.write import check_collisions, write_outputs
    from museumsite.programme.calendars import make_calendars
    from museumsite.programme.exports import make_schedules
    from museumsite.render.api.builtin import builtin_registry
    from museumsite.render.api.context import HelperContext
    from museumsite.render.pages import render_pages
    from museumsite.render.plan import alternates, drop_shadowed_redirects, plan_pages
    from museumsite.render.search import make_search_index
    from museumsite.render.sitemap import make_sitemap
    from museumsite.render.theme import load_theme, locale_dirs, theme_static

    problems = Problems(strict=strict)

    step("loading", 0, 0)
    interface, catalogue_problems = load_interface(locale_dirs(config), config.all_languages, root)
    problems.items.extend(catalogue_problems)
    documents = load_documents(root, config.content_dir, config.all_languages, config.language, problems)
    static = list_static(root, config.content_dir / "static", problems) + theme_static(config, problems)
    site = assemble_site(documents, config, problems, tuple(static), drafts=drafts)
    site = attach_threads(site, load_comment_archives(root, config.content_dir, problems), problems)
    check_site(site, problems)
    step("converting", 0, 0)
    cache = read_cache(root / CACHE_DIR / "markup.sqlite3") if use_cache else MarkupCache()
    site = convert_site(site, problems, interface, cache)
    cache.save()
    problems.raise_if_any()

    step("rendering", 0, 0)
    env = load_theme(config, *builtin_registry().bind(HelperContext.of(site, interface)))
    jobs = drop_shadowed_redirects(plan_pages(site, interface), problems)
    table = alternates(jobs)
    feed_plan = plan_feeds(site, interface)
    comment_plan = plan_comment_feeds(site, interface)
    # Pages and post feeds whose inputs did not change since the last build are read back, not made again.
    reused = reuse.Reuse.start(root / CACHE_DIR if use_cache else None, output, site, theme_dirs(config),
                               (drafts, strict))
    pages = reused.pages(jobs, lambda todo: render_pages(todo, env, site, interface, table, (feed_plan, comment_plan),
                                                          problems, step))
    # Post feeds (one per language and tag: hundreds on a large site) are made on every core, in order.
    post_feeds = reused.feeds(feed_plan, ("atom", "rss"), lambda todo: [
        o for made in map_entries(lambda s, feed: make_feeds(s, [feed]), site, todo) for o in made])
    json_feeds = reused.feeds(feed_plan, ("json",), lambda todo: make_json_feeds(site, todo))
    feeds = post_feeds + json_feeds + make_comment_feeds(site, comment_plan, interface) + make_event_feeds(site, interface)
    sitemap = reused.shaped(["sitemap.xml", "robots.txt"], lambda: make_sitemap(site, jobs, table))
    outputs = pages + feeds + sitemap + make_calendars(site) + make_schedules(site)
    if config.search.enabled:
        step("indexing for search", 0, 0)
        outputs += make_search_index(pages, jobs, problems, root / CACHE_DIR / "search" if use_cache else None)
    check_collisions(outputs, static, root, problems)
    problems.raise_if_any()

    step("writing", 0, 0)
    stats = write_outputs(outputs, static, output, in_place=in_place)
    reused.save(pages + post_feeds + json_feeds + sitemap)
    return BuildResult(output_dir=output, pages=len(pages), feeds=len(feeds), files=len(outputs) + len(static),
                       written=stats.written, unchanged=stats.unchanged, removed=stats.removed,
                       seconds=time.perf_counter() - started, warnings=tuple(problems.warnings),
                       drafts=0 if drafts else _count_drafts(documents, config),
                       rendered=reused.made, kept=reused.kept)


def _count_drafts(documents: list[Document], config: SiteConfig) -> int:
    """Files left out as drafts: marked so, or translations of a draft that do not say otherwise."""
    order = {lang: index for index, lang in enumerate(config.all_languages)}
    originals: dict[str, Document] = {}
    for doc in sorted(documents, key=lambda d: (order.get(d.lang, len(order)), d.lang, d.path)):
        originals.setdefault(doc.key, doc)
    return sum(1 for doc in documents
               if doc.meta.get("draft", originals[doc.key].meta.get("draft")) is True)
