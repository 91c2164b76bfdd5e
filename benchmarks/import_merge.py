#!/usr/bin/env python3
"""Import merge figures: how long a later import of a large blog takes once the site moderated it.

    .venv/bin/python benchmarks/import_merge.py [POSTS] [COMMENTS_PER_POST]

A WordPress export of POSTS posts (default 300), each linking to the previous one by its
old permalink and holding COMMENTS_PER_POST comments (default 40, a third of them
pending) is generated, then, on a fresh site, timed:

1. the first import;
2. the same export again (nothing changes);
3. after approving one pending comment and rejecting one comment in every tenth
   archive by hand-editing the archives (as ``comments approve``/``reject`` would),
   a later export with one new comment per post: the comment-by-comment merge;
4. a Disqus export of the same size (one thread per post, every comment a copy of a
   WordPress one, so the duplicate detection runs on each).

Printed: seconds per step and comments per second. Nothing is asserted.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from museumsite.cli import main

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench</title><link>http://old.example</link><language>fr-FR</language>
<wp:base_site_url>http://old.example</wp:base_site_url>
"""


def comment(cid: int, day: int, approved: int, text: str) -> str:
    return (f"<wp:comment><wp:comment_id>{cid}</wp:comment_id><wp:comment_author>Lecteur {cid % 97}"
            f"</wp:comment_author><wp:comment_date_gmt>2019-{1 + day % 12:02d}-{1 + day % 28:02d} "
            f"{cid % 24:02d}:{cid % 60:02d}:00</wp:comment_date_gmt><wp:comment_content>{text} {cid}"
            f"</wp:comment_content><wp:comment_approved>{approved}</wp:comment_approved>"
            "<wp:comment_parent>0</wp:comment_parent></wp:comment>")


def wxr(posts: int, per_post: int, later: bool) -> str:
    items = []
    for n in range(posts):
        link = f'<a href="http://old.example/2019/01/post-{n - 1}/">le précédent</a>' if n else ""
        comments = "".join(comment(n * 1000 + c, n + c, 0 if c % 3 == 0 else 1,
                                   "Merci pour ce billet très intéressant sur le musée et ses collections.")
                           for c in range(per_post + (1 if later else 0)))
        items.append(f"<item><title>Billet {n}</title><link>http://old.example/2019/01/post-{n}/</link>"
                     f"<content:encoded><![CDATA[Un billet sur la vie du musée, ses visites et ses soirées. {link}]]>"
                     f"</content:encoded><wp:post_id>{n + 1}</wp:post_id><wp:post_date_gmt>2019-01-01 10:00:00"
                     f"</wp:post_date_gmt><wp:post_name>post-{n}</wp:post_name><wp:status>publish</wp:status>"
                     f"<wp:post_type>post</wp:post_type>{comments}</item>")
    return HEAD + "\n".join(items) + "\n</channel></rss>\n"


def disqus(posts: int, per_post: int) -> str:
    threads = "".join(f'<thread dsq:id="{n}"><link>https://old.example/2019/01/post-{n}/</link></thread>'
                      for n in range(posts))
    copies = "".join(
        f'<post dsq:id="{900000 + n * 1000 + c}"><message>Merci {c}</message><createdAt>2019-{1 + (n + c) % 12:02d}-'
        f"{1 + (n + c) % 28:02d}T{(n * 1000 + c) % 24:02d}:{(n * 1000 + c) % 60:02d}:00Z</createdAt>"
        f"<isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>Lecteur {(n * 1000 + c) % 97}</name>"
        f'<isAnonymous>true</isAnonymous></author><thread dsq:id="{n}"/></post>'
        for n in range(posts) for c in range(per_post))
    return ('<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
            f'xmlns:dsq="http://disqus.com/disqus-internals">{threads}{copies}</disqus>\n')


def timed(label: str, argv: list[str], comments: int) -> None:
    start = time.perf_counter()
    code = main(argv)
    seconds = time.perf_counter() - start
    print(f"{label:<46} {seconds:7.2f} s  {comments / seconds:9.0f} comments/s  (exit {code})", file=sys.stderr)


def moderate(site: Path) -> None:
    for number, archive in enumerate(sorted((site / "content/comments/posts").glob("*.yaml"))):
        if number % 10:
            continue
        text = archive.read_text(encoding="utf-8")
        text = text.replace("status: pending", "status: approved", 1)
        archive.write_text(text, encoding="utf-8")


def run() -> None:
    posts = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    per_post = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    total = posts * per_post
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        site = root / "site"
        (site / "content").mkdir(parents=True)
        (site / "museumsite.yaml").write_text("title: Bench\nbase_url: https://new.example/\nlanguage: fr\n"
                                              "timezone: Europe/Paris\n", encoding="utf-8")
        first, later, threads = root / "first.xml", root / "later.xml", root / "disqus.xml"
        first.write_text(wxr(posts, per_post, False), encoding="utf-8")
        later.write_text(wxr(posts, per_post, True), encoding="utf-8")
        threads.write_text(disqus(posts, per_post), encoding="utf-8")
        print(f"{posts} posts, {total} comments", file=sys.stderr)
        quiet = ["--site", str(site)]
        timed("1. first WordPress import", ["import", "wordpress", str(first), *quiet], total)
        timed("2. the same export again", ["import", "wordpress", str(first), *quiet], total)
        moderate(site)
        timed("3. later export after moderation (merge)", ["import", "wordpress", str(later), *quiet],
              total + posts)
        timed("4. Disqus, every comment a copy", ["import", "disqus", str(threads), *quiet], total)


if __name__ == "__main__":
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):  # the import reports; the figures go to stderr
        run()
