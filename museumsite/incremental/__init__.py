"""The incremental store: what a build keeps so that the next one does only what changed.

The layers, from the coarsest to the finest. Each is a convenience, never a source of
truth: a record that is missing, damaged or foreign means doing the work again, never a
stale file, and ``.museumsite-cache/`` may be deleted at any time.

- **no-op record** (``noop.py``; ``.museumsite-cache/build-<o>.json``): the hash of every input
  file, the installed code and ``key("noop")``, with the output's files by name, size, time and
  inode. When both match, the build does nothing and reports the recorded warnings again. It also
  keeps each input file's stat (size, times, inode, device) with its digest: the next check reads
  only the files whose stat changed (``store.known_digest``, as ``serve``'s memory does).
- **page reuse** (``reuse.py``; ``.museumsite-cache/render-<o>.json``): the site's *shape*
  (everything but the entries' bodies, with the code, the theme but its templates, catalogues and
  ``key("pages")``), its *structure* and each entry's fields (``shape.py``) and, per page or post
  feed, its identity, the bodies and other fields its templates read, its variables, the templates it
  loaded and its file in the output. A page is read back from the output when all of them are the
  same, or when only leaf fields (a post's title, date or tags) changed and it read none of them,
  nor the site's lists when they changed.
- **Markdown cache** (``markdown.py``; ``.museumsite-cache/markup.sqlite3``): one row per
  entry, keyed by its Markdown, path and language, the converter's set-up and
  ``key("markdown")``; used while the pages it links to have not moved.
- **search shards** (``shards.py``; ``.museumsite-cache/search/<key>/``): one Pagefind bundle
  per shard, keyed by Pagefind's version and options, what it reads of the shard's pages and
  ``key("search")``.
- **in-place journal** (``output/journal.py``; ``.<out>.commit-<tag>/`` beside the output): no
  key, a small change in flight; a killed writer's journal is rolled forward by the next build.
- **front matter** (``frontmatter.py``; ``.museumsite-cache/frontmatter.json``): each content file's
  parsed front matter, keyed by its text and first line, the file by the installed code
  (``Store.code``); no option changes how YAML is read, so none is mixed in.
- **spare tree** (``output/spare.py``; ``.museumsite-cache/spare-<o>/``): the site a swap retired,
  kept to stage the next swap; only files that are still the output's own (same inode) and
  unchanged are kept from it, so it needs no key.
- **compiled templates** (``Store.template_cache``; ``.museumsite-cache/templates/<code>/``): Jinja's
  bytecode of each template, checked by Jinja against the template's source; the folder is named
  by the installed code (``Store.code``), so an upgrade starts a new one.
- **resident** (``resident.py``; memory only): what ``serve`` keeps between its builds: documents
  and input digests by stat, conversions, compiled templates, the last outputs and pages record,
  and the last good build's site and plan (``bodyedit.py``: a save that changes bodies alone starts
  from it, converting those bodies and rendering only what reads them).

``<o>`` is a hash of the output folder: each output keeps its own records (``_site/`` and
``serve``'s ``.museumsite-cache/serve/``), while the Markdown cache and the search shards,
keyed by content, are shared.

A build asks the layers in order. If the no-op record matches, nothing is rendered or written.
Otherwise each entry's HTML comes from the Markdown cache when its key matches (and the
pages it links to have not moved); each page and post feed is read back from the output
when the shape, its identity and the bodies it read are the same; each search shard is
taken from the cache when its pages are. Then the output is compared file by file with
what the build made (``output/write.py``): an unchanged file is left as it is, and a change
goes in by swapping in a whole new tree, or (``--in-place``, ``serve``) through the journal.

The plumbing is shared (``store.py``, ``atomic.py``):

- ``BuildOptions`` is the one description of the options; ``key(layer)`` is what each layer
  mixes into its keys. A field counts for every layer unless it declares, beside itself,
  the layers it cannot change and why: a new option invalidates everything by default.
- ``Store`` names each layer's record and takes the hashes the layers share once per build
  (the installed code; each file's bytes: the theme is in both the inputs and the shape).
- ``read_output_manifest`` is the one reader of ``.museumsite-output.json``, the list of
  the files a build wrote into its output folder (written by ``output/write.py``).
- ``atomic_write`` (and ``Batch``, for an import's thousands of files) is the one way a
  file is rewritten whole: temporary file beside it, flushed, renamed, folder flushed.
  Scratch files and folders are all named ``.<name>.<kind>-<pid>-<random>``.

Who touches the disk. The build reads its inputs in four places: ``config.py`` (with
``yamlfile.py``) reads ``museumsite.yaml``, ``content/load.py`` the content, static files
and comment archives, ``lang/i18n.py`` the catalogues, ``render/theme.py`` the templates
and theme assets. It writes in two: ``output/`` (the output folder, its lock and the
journal) and this folder (the cache), which also reads what it vouches for: every input
file for the fingerprints, and the pages it keeps, read back from the output.
``render/search.py`` runs Pagefind over files in a scratch folder this folder gives it.
In a plain build, ``render/pages.py`` hands each rendered page over as a file in a scratch
folder beside the output (``output/write.py``'s ``spill_folder``), so the build never holds
the whole site in memory; the swap links those files into the new site.
Everything in between (assemble, validate, convert, plan, render, feeds, programme) is a
function of what was loaded and touches no other file. Outside the build: ``serve/`` reads the
output and watches the site, ``check/`` reads a built output (and a page's source file,
for the line of a finding), the importers read exports and write the content through
``importers/contentfile.py``, ``comments/`` reads submissions and rewrites archives
(moderation), and ``commands/`` makes a new site (``init``) or removes the output and the
cache (``clean``).
"""
