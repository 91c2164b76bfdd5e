"""The pipeline: config -> load -> assemble -> markup -> render -> write.

``build()`` reads like the diagram in DESIGN.md. Every stage collects problems;
the build stops after assembling and converting (content problems, all at once)
and again after rendering (template problems and URL collisions), before anything
is written, so a failed build never touches the previous output.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from museumsite.errors import BuildResult, ConfigError, Problem, Problems
from museumsite.incremental import noop
from museumsite.incremental.store import CACHE_DIR, BuildOptions, Store

if TYPE_CHECKING:
    from museumsite.config import SiteConfig  # the config, and what reads it, load after the quick no-op check
    from museumsite.incremental.markdown import MarkupCache
    from museumsite.incremental.resident import Resident  # serve's; importing it would load Jinja for a no-op
    from museumsite.incremental.reuse import Reuse
    from museumsite.lang.i18n import Interface
    from museumsite.model import Archive, Document, Output, Site, StaticFile  # a no-op build never loads them
    from museumsite.output.write import WriteStats
    from museumsite.plugins.producers import Made, Plans, Producer
    from museumsite.plugins.registry import Plugins
    from museumsite.render.plan import Job

    Prepared = tuple[Site, Site, list[Job], Mapping[str, Mapping[str, str]], Plans, Reuse,
                     tuple[tuple[Problem, ...], tuple[Problem, ...]]]

Progress = Callable[[str, int, int], None]
__all__ = ["CACHE_DIR", "BuildOptions", "build", "build_with"]


def build(root: Path, output: Path | None = None, *, drafts: bool = False, strict: bool = False,
          progress: Progress | None = None, use_cache: bool = True, in_place: bool = False,
          base_url: str | None = None, resident: Resident | None = None) -> BuildResult:
    """Build the site in ``root`` into ``output`` (default ``root/_site``).

    Raises ConfigError (exit 2), UsageError (exit 2) or BuildError (exit 1) with
    every problem found; returns the result, warnings included, on success.
    Converted Markdown is kept in ``root/.museumsite-cache/`` (``use_cache=False``
    neither reads nor writes it). ``in_place`` lets a build that changes few files
    write them into the output one by one instead of swapping in a whole new tree
    (``serve`` does; see output/journal.py for what a reader may see meanwhile). ``base_url``
    replaces the config's, for a preview deploy at another address. ``resident`` is what a
    ``serve`` session keeps in memory between its builds (incremental/resident.py).
    """
    output = (output or root / "_site").resolve()
    options = BuildOptions(output=output, drafts=drafts, strict=strict, base_url=base_url, in_place=in_place,
                           use_cache=use_cache)
    return build_with(root, options, progress, resident)


def build_with(root: Path, options: BuildOptions, progress: Progress | None = None,
               resident: Resident | None = None) -> BuildResult:
    """``build``, with the options in one value."""
    started = time.perf_counter()
    step = progress or (lambda stage, done, total: None)
    root = root.resolve()
    options = dataclasses.replace(options, output=options.output.resolve())
    if resident is None and (done := noop.recorded(root, options, started)) is not None:
        return done  # nothing changed, seen without reading the config (a third of a no-op's time)
    from museumsite.config import load_config
    from museumsite.markup.extensions import check_extensions, extensions_key
    from museumsite.output.write import build_lock, check_output_dir
    from museumsite.plugins.registry import load_plugins
    from museumsite.render.chain import check_theme, theme_dirs

    config = load_config(root, options.base_url)
    problems = check_theme(config) + check_extensions(config)
    plugins = load_plugins(config, problems)
    if problems:
        raise ConfigError(problems)
    output = options.output
    check_output_dir(output, root)
    # The code of the site's Markdown extensions and plugins changes the output as museumsite's own does.
    stamp = extensions_key(config) + plugins.stamp
    store = Store(root, options, stamp=stamp, resident=resident)
    if store.resident is not None:
        store.resident.begin()
    with build_lock(output, lambda: step("waiting for another build", 0, 0)):
        if store.folder is None:
            return _build(root, config, plugins, store, step, started)
        record = store.noop_record
        if store.resident is not None and store.resident.kept:
            # A serve session that has built before: the watcher saw a change, and the session's memory
            # knows the unchanged files; hashing every input first would only delay the build.
            noop.forget(record)
            return _build(root, config, plugins, store, step, started)
        dirs = theme_dirs(config)
        inputs = noop.inputs_fingerprint(root, dirs, [output, store.folder], store)
        if done := noop.unchanged(record, inputs, output, time.perf_counter() - started):
            return done
        noop.forget(record)
        result = _build(root, config, plugins, store, step, started)
        noop.remember(record, inputs, result, dirs, stamp)
        return result


def _build(root: Path, config: SiteConfig, plugins: Plugins, store: Store, step: Progress,
           started: float) -> BuildResult:
    """The stages, run while holding the site's build lock."""
    # The pipeline is imported here, not at the top: a no-op rebuild never needs it.
    from museumsite.incremental import bodyedit
    from museumsite.incremental.shape import frame_digest
    from museumsite.lang.i18n import load_interface
    from museumsite.markup.convert import convert_entries
    from museumsite.output.write import spill_folder
    from museumsite.plugins.producers import BUILT_IN, Made
    from museumsite.render.api.builtin import builtin_registry
    from museumsite.render.api.context import HelperContext
    from museumsite.render.chain import theme_dirs
    from museumsite.render.pages import page_contexts, render_pages
    from museumsite.render.theme import load_theme, locale_dirs, template_digests

    options = store.options
    output, drafts = options.output, options.drafts
    problems = Problems(strict=options.strict)
    resident = store.resident
    frame = frame_digest(theme_dirs(config), root / "locales", store)
    look = frame_digest(theme_dirs(config), root / "locales", store, templates=False)  # each page's are its own
    # A session's previous build, to start from when only bodies changed since (incremental/bodyedit.py); not with
    # plugins, whose hooks may read anything of the site.
    snapshot = resident.snapshot if resident is not None and not plugins.enabled else None

    step("loading", 0, 0)
    if isinstance(snapshot, bodyedit.Snapshot) and snapshot.frame == frame and snapshot.config == config:
        interface, catalogue_problems = snapshot.interface, list(snapshot.catalogue_problems)
    else:
        interface, catalogue_problems = load_interface(locale_dirs(config), config.all_languages, root)
    problems.items.extend(catalogue_problems)
    documents, static, archives = _load(root, config, store, problems)
    cache = store.markdown_cache()
    found = bodyedit.edited(snapshot, config, frame, documents, static, archives)
    rebuilt = bodyedit.after_edits(*found, problems, cache, store, convert_entries) if found else None
    if found is not None and rebuilt is not None:
        snapshot = found[0]
        cache.save(partial=True)  # the other entries' conversions stay, for the next whole build
        problems.raise_if_any()
        site, checked, jobs, table, plans, reused = (rebuilt.site, snapshot.checked, list(snapshot.jobs),
                                                     snapshot.table, snapshot.plans, rebuilt.reuse)
        marks = (snapshot.assembled_warnings, snapshot.converted_warnings)
        step("rendering", 0, 0)
    else:
        site, checked, jobs, table, plans, reused, marks = _prepare(root, config, plugins, store, step, look,
                                                                    documents, static, archives, interface,
                                                                    cache, problems)
    env = load_theme(config, *builtin_registry().bind(HelperContext.of(site, interface)))
    env.bytecode_cache = store.template_cache()
    reused.bodies.templates = template_digests(env)
    with spill_folder(output, store.resident is None and not options.in_place and not plugins.enabled) as spill:
        reused.lazy = spill is not None  # no plugin reads the pages, nor a session that serves them from memory
        # Pages and post feeds whose inputs did not change since the last build are read back, not made again.
        pages = reused.pages(jobs, lambda todo: plugins.pages(
            render_pages(todo, env, site, interface, table, plans.links, problems, step, spill=spill), todo, problems),
            lambda every: page_contexts(every, site, interface, table, plans.links))
        # The files made beside the pages: feeds, sitemap, calendars, exports, search, then the plugins' own.
        made = Made(site=site, interface=interface, jobs=jobs, table=table, plans=plans, pages=pages, reuse=reused,
                    problems=problems, store=store, step=step)
        producers = (*BUILT_IN, *plugins.producers())
        outputs, files, stats = _write(producers, made, static, root, store, check=rebuilt is None)
    feeds = sum(len(batch) for producer, batch in zip(producers, files) if producer.feeds)
    reused.save(outputs)  # it records the files it was asked to keep or make: pages, post feeds, sitemap
    left_out = 0 if drafts else snapshot.drafts if rebuilt and snapshot else _count_drafts(documents, config)
    if resident is not None:
        resident.snapshot = bodyedit.Snapshot(
            config=config, frame=frame, documents=tuple(documents), static=tuple(static), archives=tuple(archives),
            checked=checked, site=site, interface=interface, catalogue_problems=tuple(catalogue_problems),
            assembled_warnings=marks[0], converted_warnings=marks[1], shape=reused.shape, jobs=tuple(jobs),
            table=table, plans=plans, ids=reused.ids, drafts=left_out)
    return BuildResult(output_dir=output, pages=len(pages), feeds=feeds, files=len(outputs) + len(static),
                       written=stats.written, unchanged=stats.unchanged, removed=stats.removed,
                       seconds=time.perf_counter() - started, warnings=tuple(problems.warnings),
                       drafts=left_out,
                       rendered=reused.made, kept=reused.kept)


def _load(root: Path, config: SiteConfig, store: Store,
          problems: Problems) -> tuple[list[Document], list[StaticFile], list[Archive]]:
    """Stage 1: the documents, the static files and the comment archives (a session's unchanged files from memory)."""
    from museumsite.content.load import list_static, load_comment_archives, load_documents
    from museumsite.render.theme import theme_static

    resident = store.resident
    # A session's later builds parse only the files that changed: the kept parses of every file (read whole,
    # 10,000 rows on a large site) would save a millisecond each, and saving would drop the other rows.
    later = resident is not None and bool(resident.kept)
    fronts = store.front_matter() if store.folder is not None and not later else None
    documents = load_documents(root, config.content_dir, config.all_languages, config.language, problems,
                               resident.documents if resident is not None else None, fronts)
    if fronts is not None:
        fronts.save()
    static = list_static(root, config.content_dir / "static", problems) + theme_static(config, problems)
    return documents, static, load_comment_archives(root, config.content_dir, problems)


def _prepare(root: Path, config: SiteConfig, plugins: Plugins, store: Store, step: Progress, frame: str,
             documents: list[Document], static: list[StaticFile], archives: list[Archive], interface: Interface,
             cache: MarkupCache, problems: Problems) -> Prepared:
    """The whole site from its documents: assembled, checked, converted, planned; with the reuse of the
    previous build's outputs and the warnings of assembling and converting (for a serve session's next build).
    ``frame``: what shows the site, its templates left out (each page's are among its reads)."""
    from museumsite.comments.threads import attach_threads
    from museumsite.content.assemble import assemble_site
    from museumsite.content.validate import check_site
    from museumsite.incremental import reuse
    from museumsite.markup.convert import convert_site
    from museumsite.plugins.producers import Plans
    from museumsite.render.plan import alternates, drop_shadowed_redirects, plan_pages

    loaded = len(problems.items)
    site = assemble_site(documents, config, problems, tuple(static), drafts=store.options.drafts)
    waiting = set() if store.options.drafts else _waiting(documents, config)
    site = attach_threads(site, [a for a in archives if a.target not in waiting], problems)
    site = plugins.site_assembled(site, problems)
    check_site(site, problems)
    checked, assembled = site, len(problems.items)
    step("converting", 0, 0)
    site = convert_site(site, problems, interface, cache)
    cache.save()
    problems.raise_if_any()
    converted = len(problems.items)

    step("rendering", 0, 0)
    jobs = drop_shadowed_redirects(plan_pages(site, interface), problems)
    marks = (tuple(problems.items[loaded:assembled] + problems.items[converted:]),
             tuple(problems.items[assembled:converted]))
    # After edits of leaf fields alone, the pages that read none are kept; not with plugins, whose hooks read anything.
    reused = reuse.Reuse.start(store, site, frame, leaves=not plugins.enabled)
    return site, checked, jobs, alternates(jobs), Plans.of(site, interface), reused, marks


def _write(producers: Sequence[Producer], made: Made, static: list[StaticFile], root: Path, store: Store, *,
           check: bool) -> tuple[list[Output], list[list[Output]], WriteStats]:
    """Stage 5: the producers' files, the whole build checked, then written; every output, each producer's
    files and the figures. ``check``: look for collisions (not after edits of bodies alone: every path is one
    the previous build checked).

    A plain build makes the late files (the search index) in a thread while it stages the others
    (``write_outputs``' ``later``), unless it already has errors: then it makes them first, to report
    everything at once without writing.
    """
    from museumsite.output.write import check_collisions, write_outputs

    problems, step = made.problems, made.step
    overlap = store.resident is None
    files = _produce(producers, made, store.resident, skip_late=overlap)
    late = [index for index, producer in enumerate(producers) if producer.late and overlap]
    if problems.errors:
        for index in late:
            files[index] = producers[index].make(made)
        late = []
    outputs: list[Output] = []

    def finish() -> list[Output]:
        """The late files, then every output checked; the build stops here, before any swap, on an error."""
        quiet = dataclasses.replace(made, step=lambda stage, done, total: None)  # main says what goes on
        for index in late:
            files[index] = producers[index].make(quiet)
        outputs[:] = [*made.pages, *(o for batch in files for o in batch)]
        if check:
            check_collisions(outputs, static, root, problems)
        problems.raise_if_any()
        return [o for index in late for o in files[index]]

    if not late:
        finish()
        step("writing", 0, 0)
        return outputs, files, write_outputs(outputs, static, store.options.output, in_place=store.options.in_place,
                                             spare=store.spare)
    step("indexing for search and writing", 0, 0)
    early = [*made.pages, *(o for index, batch in enumerate(files) if index not in late for o in batch)]
    stats = write_outputs(early, static, store.options.output, in_place=store.options.in_place, spare=store.spare,
                          later=finish)
    return outputs, files, stats


def _produce(producers: Sequence[Producer], made: Made, resident: Resident | None, *,
             skip_late: bool = False) -> list[list[Output]]:
    """Each producer's files, in the producers' order.

    In a ``serve`` session (``resident.ready``), the producers marked ``late`` (the search index) run
    last, after ``ready`` has the pages and the other files (unless the build already has errors);
    with ``resident.defer_late``, they are not run at all when the session holds their files of
    the previous build: those stay, and the session runs a full build once the author pauses.
    Elsewhere ``skip_late`` leaves their files empty, for ``_write`` to make while it stages the others.
    """
    if resident is None or resident.ready is None:
        return [[] if producer.late and skip_late else producer.make(made) for producer in producers]
    files: dict[int, list[Output]] = {}
    announced = False
    for index in sorted(range(len(producers)), key=lambda index: producers[index].late):
        producer = producers[index]
        if producer.late and not announced:
            announced = True
            if not made.problems.errors:
                resident.ready([*made.pages, *(o for i in sorted(files) for o in files[i])])
        stale = resident.late.get(producer.name) if producer.late and resident.defer_late else None
        if stale is not None:
            files[index], resident.deferred = stale, True
        else:
            files[index] = producer.make(made)
            if producer.late:
                resident.made_late[producer.name] = [dataclasses.replace(o, kept=True) for o in files[index]]
    if not announced and not made.problems.errors:
        resident.ready([*made.pages, *(o for i in sorted(files) for o in files[i])])
    return [files[index] for index in range(len(producers))]


def _drafts(documents: list[Document], config: SiteConfig) -> list[Document]:
    """Files left out as drafts: marked so, or translations of a draft that do not say otherwise."""
    order = {lang: index for index, lang in enumerate(config.all_languages)}
    originals: dict[str, Document] = {}
    for doc in sorted(documents, key=lambda d: (order.get(d.lang, len(order)), d.lang, d.path)):
        originals.setdefault(doc.key, doc)
    return [doc for doc in documents if doc.meta.get("draft", originals[doc.key].meta.get("draft")) is True]


def _count_drafts(documents: list[Document], config: SiteConfig) -> int:
    return len(_drafts(documents, config))


def _waiting(documents: list[Document], config: SiteConfig) -> set[str]:
    """The entries left out whole as drafts: their comment archives wait for them (a WordPress draft or
    password-protected post comes with its comments), published with the entry, never an error."""
    drafts = {id(doc) for doc in _drafts(documents, config)}
    published = {doc.key for doc in documents if id(doc) not in drafts}
    return {doc.key for doc in documents if id(doc) in drafts} - published
