#!/usr/bin/env python3
"""From saving a post to the browser's reload event, under ``museumsite serve``.

    .venv/bin/python benchmarks/serve_latency.py [--posts 1000] [--edits 5] [--kinds body,title,date,tags,template] [--work DIR]

Run it with the Python of a venv where museumsite is installed. It makes a site of
``--posts`` synthetic posts with ``../shared/bench/make_corpus.py`` (the benchmark's
corpus and config, plus a copy of the default theme's ``post.html`` in the site's theme),
starts ``museumsite serve`` on a free loopback port, listens to its server-sent events like
an open page does, then saves ``--edits`` times for each kind of edit and prints, for each
save, the seconds until the ``reload`` event arrives (the watcher's debounce included),
with the median and the spread:

  body      append a sentence to a random post's body
  title     change a random post's title (every list and feed that shows it changes)
  date      move a random post a day earlier (the lists it moves in, its archive, its feeds)
  tags      take the last of a random post's tags (or give one back): that tag's pages and feeds
  template  change ``post.html`` (every post's page changes)

A save comes 1 s after the previous reload event (a writer does not save twice within a
second); between two kinds the script pauses 3 s, so that serve brings its search index
up to date as it does when the author pauses.

museumsite runs from bytecode compiled into the work folder, as an installed package does
(``museumbench/tools.py``, ``installed_bytecode``). Only the standard library is used;
nothing in this repository is written to.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from museumbench.common import MUSEUMSITE_YAML
from museumbench.tools import installed_bytecode

REPO = Path(__file__).resolve().parent.parent
MAKE_CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_server(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("serve_latency.py: the server did not answer in time")


def next_event(stream: http.client.HTTPResponse) -> str:
    """The name of the next event on the stream (comments and keepalives skipped)."""
    while True:
        line = stream.readline().decode()
        if not line:
            raise SystemExit("serve_latency.py: the events stream closed")
        if line.startswith("event:"):
            return line.split(":", 1)[1].strip()


TEMPLATE = "themes/default/templates/post.html"


def edit_body(site: Path, post: Path, number: int) -> None:
    with post.open("a", encoding="utf-8") as handle:
        handle.write(f"\nOne more sentence, saved for the {number}th time.\n")


def edit_title(site: Path, post: Path, number: int) -> None:
    text = post.read_text(encoding="utf-8")
    # Titles are written in double quotes by make_corpus.py: the number goes inside them.
    new = re.sub(r'^title: "(.*)"$', rf'title: "\1 ({number})"', text, count=1, flags=re.MULTILINE)
    post.write_text(new, encoding="utf-8")


def edit_date(site: Path, post: Path, number: int) -> None:
    text = post.read_text(encoding="utf-8")
    # A day earlier: the post moves a few places in the lists, its year's archive and its tags' pages.
    found = re.search(r"^date: (\S+)$", text, flags=re.MULTILINE)
    assert found is not None, post
    when = dt.datetime.fromisoformat(found.group(1).replace("Z", "+00:00")) - dt.timedelta(days=1)
    post.write_text(text.replace(found.group(0), f"date: {when.isoformat().replace('+00:00', 'Z')}", 1),
                    encoding="utf-8")


def edit_tags(site: Path, post: Path, number: int) -> None:
    text = post.read_text(encoding="utf-8")
    # The last of its tags taken (make_corpus.py draws them from a few dozen: others still hold it), or given back.
    found = re.search(r"^tags: \[(.*)\]$", text, flags=re.MULTILINE)
    assert found is not None, post
    tags = [tag.strip() for tag in found.group(1).split(",") if tag.strip()]
    tags = tags[:-1] if len(tags) > 1 else [*tags, "archives"]
    post.write_text(text.replace(found.group(0), f"tags: [{', '.join(tags)}]", 1), encoding="utf-8")


def edit_template(site: Path, post: Path, number: int) -> None:
    with (site / TEMPLATE).open("a", encoding="utf-8") as handle:
        handle.write(f"{{# saved for the {number}th time #}}\n")


EDITS = {"body": edit_body, "title": edit_title, "date": edit_date, "tags": edit_tags, "template": edit_template}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--kinds", default="body,title,date,tags,template", type=lambda text: text.split(","),
                        help="comma-separated among body,title,date,tags,template (default: all five)")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a new temporary one, removed after)")
    args = parser.parse_args()
    if not MAKE_CORPUS.is_file():
        print(f"serve_latency.py: {MAKE_CORPUS} is missing (the shared/ folder beside the repository)",
              file=sys.stderr)
        return 2
    work = args.work or Path(tempfile.mkdtemp(prefix="museumsite-serve-"))
    server = None
    try:
        corpus, site = work / "corpus", work / "site"
        shutil.rmtree(work / "corpus", ignore_errors=True)
        shutil.rmtree(site, ignore_errors=True)
        subprocess.run([sys.executable, str(MAKE_CORPUS), str(args.posts), str(corpus)], check=True,
                       stdout=subprocess.DEVNULL)
        (site / "content").mkdir(parents=True)
        shutil.copytree(corpus / "neutral" / "posts", site / "content" / "posts")
        (site / "museumsite.yaml").write_text(MUSEUMSITE_YAML, encoding="utf-8")
        template = site / TEMPLATE
        template.parent.mkdir(parents=True)
        shutil.copyfile(REPO / "museumsite" / TEMPLATE, template)
        env, bytecode = installed_bytecode([sys.executable, "-m", "museumsite"], work)
        print(bytecode, flush=True)
        port = free_port()
        started = time.monotonic()
        server = subprocess.Popen([sys.executable, "-m", "museumsite", "serve", "--site", str(site),
                                   "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        wait_for_server(port, started + 1800)
        first = time.monotonic() - started
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        connection.request("GET", "/__museumsite/events")
        stream = connection.getresponse()
        posts = sorted((site / "content" / "posts").glob("*.md"))
        rng = random.Random(1)
        for kind in args.kinds:
            time.sleep(3.0)
            seconds = []
            for number in range(args.edits):
                time.sleep(1.0)  # a writer does not save twice within a second
                saved = time.monotonic()
                EDITS[kind](site, rng.choice(posts), number + 1)
                event = next_event(stream)
                seconds.append(time.monotonic() - saved)
                if event != "reload":
                    print(f"{kind} edit {number + 1}: the server reported problems instead of reloading", file=sys.stderr)
                    return 1
            print(f"museumsite serve, {args.posts} posts, {kind} edit: save to reload event "
                  f"{', '.join(f'{s:.2f}' for s in seconds)} s; median {statistics.median(seconds):.2f} s "
                  f"(min {min(seconds):.2f}, max {max(seconds):.2f})", flush=True)
        print(f"first build and start {first:.1f} s")
        return 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
