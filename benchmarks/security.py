#!/usr/bin/env python3
"""Security figures: payloads tried and leaks, path attacks and escapes, XML and YAML
attacks refused, determinism checks passed.

    .venv/bin/python benchmarks/security.py [--quick]

1. XSS: every payload of ``../shared/corpora/xss/`` (read as tests/test_sanitize.py
   reads it) becomes a comment (as HTML and as Markdown; also its author name and
   URL) on a real site, which is built; every page and feed is parsed and the
   executable constructs (test_sanitize's checker) are counted against the same site
   built with harmless comments. A leak is a construct the payloads added.
   Then the same payloads, and Markdown-level ones, through every import entry point
   (benchmarks/import_payloads.py): each field of each importer and of ``comments add``.
2. Paths: a list of hostile slugs, folders, permalink patterns, aliases, tags,
   translated slugs and symbolic links, each built on its own small site. An escape
   is a file written or changed outside the output folder (besides the cache and the
   lock), a page written outside its URL's place, or the secret a link points at
   published. A crash is an exception that is not museumsite's own error.
3. XML: each file of ``../shared/corpora/xml-attacks/`` through ``museumsite import
   wordpress|disqus|frab`` in a child process: refused (exit 1 or 2, no traceback,
   nothing written) and the time taken; then each attack (and our own, from
   tests/importers/test_xml_wrapped_attacks.py) inside an otherwise valid export of each kind.
4. YAML: benchmarks/hostile_yaml.py's inputs in front matter and config.
5. Hostile sizes: benchmarks/hostile_input.py's e-mails and exports near the size
   limits (1 MB; 300 KB with --quick), each through the command line in a child
   process: how many were refused, crashes, the slowest and the largest peak memory.
6. Determinism: the demo site (the repository root) built in child processes with
   different PYTHONHASHSEED, TZ, locale, working directory and output folder; the
   trees must be byte-identical.

Nothing is asserted: the figures are printed (tests/test_security.py asserts).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import lxml.etree
import yaml

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
sys.path[:0] = [str(REPO / "tests"), str(REPO / "benchmarks")]

from import_payloads import import_payloads
from test_sanitize import corpus_payloads, executable_constructs

from museumsite.build import build
from museumsite.cli import main
from museumsite.errors import MuseumError
from museumsite.yamlfile import CONTROL_CHARS as CONTROLS  # what no text may hold

CONFIG = "title: T\nbase_url: https://example.org/\nlanguage: en\nlanguages: [en, fr]\ntimezone: UTC\n"
POST = "---\ntitle: {title}\ndate: 2024-01-0{day}\n{extra}---\nText.\n"


def new_site(folder: Path, files: dict[str, str], config: str = CONFIG) -> Path:
    folder.mkdir(parents=True)
    (folder / "museumsite.yaml").write_text(config, encoding="utf-8")
    (folder / "content/posts").mkdir(parents=True)
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


# 1. XSS ---------------------------------------------------------------------------


def constructs_in(output: Path) -> collections.Counter[str]:
    """Executable constructs per file: HTML pages whole, feeds and JSON by their texts."""
    found: collections.Counter[str] = collections.Counter()
    for path in sorted(output.rglob("*")):
        rel = path.relative_to(output).as_posix()
        if path.suffix == ".html":
            found.update(f"{rel}: {c}" for c in executable_constructs(path.read_text(encoding="utf-8")))
        elif path.suffix == ".xml":
            # What a feed reader renders as HTML: Atom content and summaries of type html or
            # xhtml, RSS descriptions and content:encoded. Titles of type text stay text.
            tree = lxml.etree.parse(str(path), lxml.etree.XMLParser(resolve_entities=False, no_network=True))
            for element in tree.iter():
                name = lxml.etree.QName(element).localname if isinstance(element.tag, str) else ""
                markup = (element.get("type") in ("html", "xhtml") or name in ("description", "encoded"))
                text = lxml.etree.tostring(element, encoding="unicode") if element.get("type") == "xhtml" \
                    else element.text
                if markup and text:
                    found.update(f"{rel}: {c}" for c in executable_constructs(text))
        elif path.suffix == ".json":
            for text in re.findall(r'"((?:[^"\\]|\\.)*<(?:[^"\\]|\\.)*)"', path.read_text(encoding="utf-8")):
                found.update(f"{rel}: {c}" for c in executable_constructs(json.loads(f'"{text}"')))
    return found


def xss(folder: Path, quick: bool) -> None:
    corpus = SHARED / "corpora/xss"
    if not corpus.is_dir():
        print("XSS: skipped, ../shared/corpora/xss is absent")
        return
    payloads = sorted({CONTROLS.sub("", p) for f in sorted(corpus.iterdir())
                       if f.suffix in {".txt", ".json", ".md", ".svg"} for p in corpus_payloads(f)} - {""})
    if quick:
        payloads = payloads[:300]
    started = time.perf_counter()
    counts = {}
    for label, hostile in (("baseline", False), ("hostile", True)):
        files, per_post = {}, 150
        for number in range(0, len(payloads), per_post):
            chunk = payloads[number:number + per_post]
            slug = f"p{number // per_post}"
            files[f"content/posts/{slug}.md"] = POST.format(title=slug, day=1, extra="")
            comments = [{"id": index, "author": p if hostile else "Ann", "author_url": p if hostile else "",
                         "date": "2024-01-02 10:00:00+00:00", "lang": "en", "format": "html" if index % 2 else "markdown",
                         "body": p if hostile else "Fine."}
                        for index, p in enumerate(chunk, 1)]
            comments += [{**c, "id": c["id"] + len(chunk), "format": "markdown" if c["format"] == "html" else "html"}
                         for c in comments]
            files[f"content/comments/posts/{slug}.yaml"] = yaml.safe_dump({"comments": comments}, allow_unicode=True)
        site = new_site(folder / f"xss-{label}", files)
        for rel in files:
            if rel.endswith(".yaml"):  # dates as YAML timestamps, not strings
                path = site / rel
                path.write_text(re.sub(r"date: '([^']+)'", r"date: \1", path.read_text(encoding="utf-8")),
                                encoding="utf-8")
        build(site, folder / f"xss-{label}-out")
        counts[label] = constructs_in(folder / f"xss-{label}-out")
    leaks = counts["hostile"] - counts["baseline"]
    pages = sum(1 for _ in (folder / "xss-hostile-out").rglob("*.html"))
    shown = sum(len(re.findall(r'<li class="comment[ "]', path.read_text(encoding="utf-8")))
                for path in (folder / "xss-hostile-out").rglob("*.html"))
    print(f"XSS: {len(payloads)} payloads x 4 entry points (HTML body, Markdown body, author, author URL) = "
          f"{4 * len(payloads)} tried; {shown} comments shown on {pages} pages, pages and feeds parsed; "
          f"leaks: {sum(leaks.values())} ({time.perf_counter() - started:.1f} s)")
    for leak in list(leaks)[:5]:
        print(f"  leak: {leak}")


# 2. paths -------------------------------------------------------------------------


SECRET = "TOP-SECRET-CANARY\n"


def path_cases(outside: Path) -> dict[str, tuple[dict[str, str], str, list[tuple[str, str]]]]:
    """name -> (files, config, symlinks to make as (link, target))."""
    def post(**extra: str) -> dict[str, str]:
        return {"content/posts/p.md": POST.format(title="P", day=1,
                                                  extra="".join(f"{k}: {json.dumps(v)}\n" for k, v in extra.items()))}

    cases: dict[str, tuple[dict[str, str], str, list[tuple[str, str]]]] = {}
    for slug in ("../../evil", "..", "../", "/etc/evil", "a/../../b", "%2e%2e%2f%2e%2e%2fevil", "x" * 5000,
                 ".git", ".museumsite-output", "a\\..\\..\\b", "evil\u202etxt", "\u2028", "con", "-", "日本/../..",
                 "~root", "$(touch /tmp/x)"):
        cases[f"slug {slug[:24]!r}"] = (post(slug=slug), CONFIG, [])
        cases[f"translated slug {slug[:24]!r}"] = (
            {**post(), "content/posts/p.fr.md": POST.format(title="F", day=1, extra=f"slug: {json.dumps(slug)}\n")},
            CONFIG, [])
    for folder in ("...", "..%2f..", " ", "a b", "\u202e", "x" * 250):
        cases[f"subfolder {folder[:24]!r}"] = (
            {f"content/posts/{folder}/p.md": POST.format(title="P", day=1, extra="slug: ../../../evil\n")}, CONFIG, [])
    for pattern in ("/../../{slug}/", "/{slug}/../../../", "//evil.example/{slug}/", "/x/%2e%2e/%2e%2e/{slug}/",
                    "/.git/{slug}/", "/\\..\\{slug}/", "/{year}/../../../{slug}/", "/./{slug}/"):
        cases[f"pattern {pattern!r}"] = (post(), CONFIG + f"urls:\n  post: {json.dumps(pattern)}\n", [])
    cases["language prefix '/../{lang}/'"] = (post(), CONFIG + "urls:\n  language: /../{lang}/\n", [])
    for alias in ("/../../etc/passwd", "/a/../../x/", "//evil.example/x/", "/.git/hooks/post-commit", "/%2e%2e/x/",
                  "\\\\evil\\x", "/a%2f..%2f..%2fx/", "/x/" + "y" * 300 + "/", "/x\u0000/", "https://evil.example/",
                  "/.museumsite-output.json", "/ok/../../../x", "../x/"):
        cases[f"alias {alias[:24]!r}"] = (post(aliases=[alias]), CONFIG, [])
    for tag in ("../../x", "..", "/etc/passwd", "%2e%2e", "x" * 5000, ".git", "***", "\u202e", "a/b"):
        cases[f"tag {tag[:24]!r}"] = (post(tags=[tag]), CONFIG, [])
    secret = str(outside / "secret.md")
    cases["symlink static -> /etc/passwd"] = (post(), CONFIG, [("content/static/passwd", "/etc/passwd")])
    cases["symlink static -> secret"] = (post(), CONFIG, [("content/static/s.txt", secret)])
    cases["symlink post -> secret"] = (post(), CONFIG, [("content/posts/s.md", secret)])
    cases["symlink static dir -> outside dir"] = (post(), CONFIG, [("content/static/home", str(outside))])
    cases["symlink comment archive -> secret"] = (post(), CONFIG, [("content/comments/posts/p.yaml", secret)])
    cases["symlink relative ../../../outside"] = (post(), CONFIG,
                                                  [("content/static/s.txt", "../../../outside/secret.md")])
    cases["symlink theme static -> secret"] = (post(), CONFIG + "theme: mine\n",
                                               [("themes/mine/static/style.css", secret)])
    cases["symlink content/posts dir -> outside"] = ({}, CONFIG, [("content/posts/more", str(outside))])
    return cases


def snapshot(folder: Path, skip: tuple[str, ...]) -> dict[str, bytes]:
    found = {}
    for path in folder.rglob("*"):
        rel = path.relative_to(folder).as_posix()
        if rel.startswith(skip):
            continue
        if path.is_symlink():
            found[rel] = os.readlink(path).encode()
        elif path.is_file():
            found[rel] = path.read_bytes()
    return found


def paths(folder: Path) -> None:
    started = time.perf_counter()
    results: collections.Counter[str] = collections.Counter()
    bad: list[str] = []
    built: list[str] = []
    for number, (name, (files, config, links)) in enumerate(path_cases(folder / "x").items()):
        sandbox = folder / f"paths/{number}"
        outside = sandbox / "outside"
        outside.mkdir(parents=True)
        (outside / "secret.md").write_text(f"---\ntitle: secret\ndate: 2024-01-01\n---\n{SECRET}", encoding="utf-8")
        files = {rel: text.replace(str(folder / "x"), str(outside)) for rel, text in files.items()}
        site = new_site(sandbox / "site", files, config)
        if "theme: mine" in config:
            (site / "themes/mine/templates").mkdir(parents=True)
        for link, target in links:
            (site / link).parent.mkdir(parents=True, exist_ok=True)
            (site / link).symlink_to(target.replace(str(folder / "x"), str(outside)))
        before = snapshot(sandbox, ("out", ".out", "site/.museumsite-cache"))
        try:
            build(site, sandbox / "out")
            verdict = "built"
        except MuseumError:
            verdict = "refused"
        except Exception as exc:  # noqa: BLE001 (counted, and shown)
            verdict = "crash"
            bad.append(f"crash: {name}: {type(exc).__name__}: {str(exc)[:100]}")
        after = snapshot(sandbox, ("out", ".out", "site/.museumsite-cache"))
        escaped = [rel for rel in set(before) | set(after) if before.get(rel) != after.get(rel)]
        output = sandbox / "out"
        if output.exists():
            for path in output.rglob("*"):
                if not path.resolve().is_relative_to(output.resolve()):
                    escaped.append(f"out/{path.relative_to(output)} resolves outside")
                elif path.is_file() and (SECRET.encode() in path.read_bytes()
                                         or b"root:x:0:0" in path.read_bytes()):
                    escaped.append(f"secret published in out/{path.relative_to(output)}")
        if escaped:
            verdict = "ESCAPE"
            bad.append(f"escape: {name}: {escaped[:3]}")
        results[verdict] += 1
        if verdict == "built":
            built.append(name)
    total = sum(results.values())
    print(f"Paths: {total} attacks tried (slugs, subfolders, patterns, aliases, tags, translated slugs, symlinks): "
          f"{results['refused']} refused with an error, {results['built']} built safely, "
          f"crashes: {results['crash']}, escapes: {results['ESCAPE']} ({time.perf_counter() - started:.1f} s)")
    print(f"  built safely: {', '.join(built)}")
    for line in bad[:10]:
        print(f"  {line}")


# 3. XML ---------------------------------------------------------------------------


def xml(folder: Path) -> None:
    corpus = SHARED / "corpora/xml-attacks"
    if not corpus.is_dir():
        print("XML: skipped, ../shared/corpora/xml-attacks is absent")
        return
    refused, tried, slowest, lines = 0, 0, 0.0, []
    for number, attack in enumerate(sorted(corpus.glob("*.xml"))):
        for source in ("wordpress", "disqus", "frab"):
            site = new_site(folder / f"xml/{number}-{source}", {})
            before = snapshot(site, ())
            started = time.perf_counter()
            err = io.StringIO()
            try:
                with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                    code = main(["import", source, str(attack), "--site", str(site)])
            except Exception:  # noqa: BLE001 (a traceback: counted as not refused)
                code, err = -1, io.StringIO(traceback.format_exc())
            seconds = time.perf_counter() - started
            ok = code in (1, 2) and snapshot(site, ()) == before
            tried, refused, slowest = tried + 1, refused + ok, max(slowest, seconds)
            if not ok:
                lines.append(f"  not refused: {source} {attack.name}: exit {code} {err.getvalue().strip()[:120]!r}")
    print(f"XML: {refused}/{tried} attacks refused ({len(list(corpus.glob('*.xml')))} files x wordpress, disqus, "
          f"frab importers), slowest {slowest * 1000:.0f} ms")
    print("\n".join(lines[:10]) or "", end="\n" if lines else "")


def xml_wrapped(folder: Path) -> None:
    """Each attack (the corpus's and tests/importers/test_xml_wrapped_attacks.py's own) inside a valid export."""
    from test_xml_wrapped_attacks import EXPORTS, OWN_ATTACKS, POST, shared_attacks, wrap

    attacks = {**OWN_ATTACKS, **shared_attacks()}
    refused, tried, slowest, lines = 0, 0, 0.0, []
    for number, (name, attack) in enumerate(sorted(attacks.items())):
        for source in sorted(EXPORTS):
            site = new_site(folder / f"xml-wrapped/{number}-{source}", {"content/posts/quina-jornada.md": POST},
                            config=CONFIG.replace("https://example.org/", "https://blog.example.cat/"))
            export = folder / f"xml-wrapped/{number}.{source}.xml"
            export.write_bytes(wrap(attack, source))
            before = snapshot(site, ())
            err = io.StringIO()
            started = time.perf_counter()
            try:
                with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                    code = main(["import", source, str(export), "--site", str(site)])
            except Exception:  # noqa: BLE001 (a traceback: counted as not refused)
                code, err = -1, io.StringIO(traceback.format_exc())
            seconds = time.perf_counter() - started
            ok = code == 1 and str(export) in err.getvalue() and snapshot(site, ()) == before
            tried, refused, slowest = tried + 1, refused + ok, max(slowest, seconds)
            if not ok:
                lines.append(f"  not refused: {source} {name}: exit {code} {err.getvalue().strip()[:120]!r}")
    print(f"XML inside valid exports: {refused}/{tried} attacks refused ({len(attacks)} attacks, "
          f"{len(OWN_ATTACKS)} of our own, x WXR, Disqus, frab), slowest {slowest * 1000:.0f} ms")
    print("\n".join(lines[:10]) or "", end="\n" if lines else "")


# 4. YAML --------------------------------------------------------------------------


def hostile_yaml(folder: Path) -> None:
    import hostile_yaml as hy

    refused, tried, slowest, peak = 0, 0, 0.0, 0.0
    for number, (name, hostile) in enumerate(hy.HOSTILE.items()):
        body = hostile if "title:" in hostile else hostile + "title: T\n"
        for index, (config, post) in enumerate((
                (hy.CONFIG, "---\ndate: 2024-01-01\n" + hostile + "---\nBody.\n"),
                ("base_url: https://example.org/\n" + body, hy.POST))):
            site = folder / f"yaml/{number}-{index}"
            (site / "content/posts").mkdir(parents=True)
            (site / "museumsite.yaml").write_text(config, encoding="utf-8")
            (site / "content/posts/p.md").write_text(post, encoding="utf-8")
            verdict, seconds, rss, _ = hy.run(site, None, 60.0)
            tried, refused = tried + 1, refused + (verdict == "refused")
            slowest, peak = max(slowest, seconds), max(peak, rss)
    print(f"YAML: {refused}/{tried} hostile inputs refused (front matter and config), slowest {slowest:.2f} s, "
          f"peak memory {peak:.0f} MB")


# 6. determinism --------------------------------------------------------------------


ENVIRONMENTS = [
    ({"PYTHONHASHSEED": "1", "TZ": "UTC", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}, "a", "a/_site"),
    ({"PYTHONHASHSEED": "4242", "TZ": "Pacific/Chatham", "LC_ALL": "C", "LANG": "tr_TR.UTF-8"}, "b/deep", "b/other"),
    ({"PYTHONHASHSEED": "random", "TZ": "America/St_Johns", "LC_ALL": "", "LANG": "fr_FR.UTF-8",
      "LANGUAGE": "de"}, "c", "c/x/y/site"),
]


def determinism(folder: Path) -> None:
    trees = []
    started = time.perf_counter()
    for env, cwd, output in ENVIRONMENTS:
        (folder / "det" / cwd).mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "museumsite", "build", "--quiet", "--site", str(REPO), "--output",
                        str(folder / "det" / output)], cwd=folder / "det" / cwd, env={**os.environ, **env},
                       check=True, capture_output=True)
        trees.append(snapshot(folder / "det" / output, ()))
    passed = sum(tree == trees[0] for tree in trees[1:])
    kinds = collections.Counter(Path(name).suffix for name in trees[0])
    print(f"Determinism: {passed}/{len(trees) - 1} checks passed: {len(trees)} builds of the demo site, "
          f"{len(trees[0])} files each ({', '.join(f'{n} {k}' for k, n in kinds.most_common(6))}) "
          f"byte-identical across PYTHONHASHSEED, TZ, locale, working directory and output folder "
          f"({time.perf_counter() - started:.1f} s)")


# 5. hostile sizes --------------------------------------------------------------------


def hostile_sizes(folder: Path, quick: bool) -> None:
    """benchmarks/hostile_input.py's inputs, each in a child process: the slowest of each kind."""
    import hostile_input

    started = time.perf_counter()
    mails, imports = hostile_input.measure(folder / "sizes", 300_000 if quick else 1_000_000, None, 120.0)
    for label, rows in (("e-mails (comments add)", mails), ("imports", imports)):
        yardstick, hostile = rows[0], rows[1:]
        crashes = [row for row in hostile if row[2] in ("crash", "timeout")]
        slowest = max(hostile, key=lambda row: row[3])
        heaviest = max(hostile, key=lambda row: row[4])
        print(f"Hostile {label}: {len(hostile)} tried, {sum(row[2] == 'refused' for row in hostile)} refused, "
              f"crashes or timeouts: {len(crashes)}; slowest {slowest[0]!r} ({slowest[1]:,} bytes) "
              f"{slowest[3]:.2f} s; most memory {heaviest[0]!r} {heaviest[4]:.0f} MB; "
              f"yardstick {yardstick[0]!r} ({yardstick[1]:,} bytes) {yardstick[3]:.2f} s, {yardstick[4]:.0f} MB")
        for row in crashes:
            print(f"  {row[2]}: {row[0]} ({row[1]:,} bytes) {row[3]:.1f} s")
    print(f"  ({time.perf_counter() - started:.0f} s; every row: benchmarks/hostile_input.py)")


def run_all() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 XSS payloads instead of the whole corpus")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        xss(folder, args.quick)
        import_payloads(folder, args.quick)
        paths(folder)
        xml(folder)
        xml_wrapped(folder)
        hostile_yaml(folder)
        hostile_sizes(folder, args.quick)
        determinism(folder)


if __name__ == "__main__":
    run_all()
