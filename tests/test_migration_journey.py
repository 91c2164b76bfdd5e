"""A migrated blog stays alive (issue 16): the journey of a museum blogger, through the command line.

init (four languages, Europe/Paris) -> import WordPress -> approve, reject, add a comment from the
form's JSON, hand-edit a post (a text fix and 'lang: ca') -> import Disqus -> import a later
WordPress export (new comments, a new post, a comment copied from Disqus by its WordPress plugin)
-> build. Every decision and edit is kept, nothing is skipped, the Catalan post is a Catalan page,
cross-links lead to the new site, comment times are local. The same imports in other orders that
end with the same import give byte-identical content files.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import pytest

from support import (
    JOURNEY,
    JOURNEY_DISQUS,
    UPLOADS,
    WXR_2019,
    WXR_2020,
    comments_of,
    front_matter,
    import_,
    parse_html,
    run,
    walk,
)


def content_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted((site / "content").rglob("*"))
            if p.is_file()}


def new_site(capsys: pytest.CaptureFixture[str], folder: Path) -> Path:
    """``museumsite init``, then four languages, a French-speaking default off UTC, the new address."""
    site = folder / "site"
    assert run(capsys, "init", site)[0] == 0
    new_site_config(site)
    return site


def moderate_and_edit(capsys: pytest.CaptureFixture[str], site: Path) -> None:
    """What the blogger does on the new site after the first import."""
    assert run(capsys, "comments", "approve", "posts/visite-nocturne#2", "--site", site)[0] == 0
    code, out, _ = run(capsys, "comments", "reject", "posts/visite-nocturne#3", "--site", site)
    assert code == 0 and "wordpress:3 remembered" in out
    code, out, err = run(capsys, "comments", "add", JOURNEY / "comment.json", "--site", site)
    assert code == 0, err
    assert "Added posts/visite-nocturne#5 as pending" in out
    post = site / "content/posts/petit-mot.md"
    text = post.read_text(encoding="utf-8")
    assert "lang: fr" in text  # too short to tell: the export's language, which the author corrects
    post.write_text(text.replace("lang: fr", "lang: ca").replace("Bona nit a tots!", "Bona nit a tothom!"),
                    encoding="utf-8")


def test_the_journey(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = new_site(capsys, tmp_path)
    import_(capsys, site, WXR_2019)
    moderate_and_edit(capsys, site)
    edited = (site / "content/posts/petit-mot.md").read_bytes()
    out = import_(capsys, site, JOURNEY_DISQUS)
    assert "posts/visite-nocturne: 1 comment written on the site, kept as written" in out
    out = import_(capsys, site, WXR_2020)
    assert ("kept content/posts/petit-mot.md: edited by hand since the last import; the export would change: "
            "lang, body") in out
    assert "posts/visite-nocturne: wordpress:3 was rejected on the site: not brought back" in out
    assert "posts/visite-nocturne#2: approved on the site, pending in the export: stays approved" in out
    assert "posts/visite-nocturne#8: disqus:2001 is the same comment (same author, same instant)" in out

    # Every decision and edit kept; new comments present; no duplicate.
    assert (site / "content/posts/petit-mot.md").read_bytes() == edited
    comments, rejected = comments_of(site)
    assert rejected == ["wordpress:3"] and "Spammy Sam" not in {c["author"] for c in comments.values()}
    assert comments[2]["status"] == "approved"  # approved on the site, still pending in the later export
    assert comments[4]["status"] == "approved"  # pending at first, approved in the later export
    assert comments[5]["author"] == "Ana Ribes" and "imported" not in comments[5]  # added on the site, untouched
    assert comments[5]["status"] == "pending" and comments[5]["parent"] == 1
    assert comments["wordpress-5"]["author"] == "Marc Roca"  # WordPress's 5 came later: the site's 5 keeps its id
    assert comments[7]["author"] == "Pierre Martin" and comments["disqus-7"]["author"] == "Hugo Bernard"
    authors = [c["author"] for c in comments.values()]
    assert authors.count("Anne Leroy") == 1  # through Disqus and through WordPress: once
    assert comments[2002]["parent"] == 8 and comments[8]["imported"] == "wordpress"  # the reply follows it
    assert {c["imported"] for i, c in comments.items() if i != 5} == {"wordpress", "disqus"}
    assert comments_of(site, "content/comments/posts/nouvelle-saison.yaml")[0][9]["author"] == "Claire Dubois"
    new_post, body = front_matter(site / "content/posts/nouvelle-saison.md")
    assert new_post["lang"] == "fr" and "](../posts/nit-dels-museus.md)" in body
    _, body = front_matter(site / "content/posts/visite-nocturne.md")
    assert "une heure du matin" in body  # the later export's text: the site had not edited this post

    assert run(capsys, "build", "--site", site)[0] == 0
    output = site / "_site"
    # The Catalan post is a Catalan page with the Catalan interface.
    page = parse_html((output / "ca/posts/petit-mot/index.html").read_bytes())
    assert page.get("lang") == "ca" and "Bona nit a tothom!" in (output / "ca/posts/petit-mot/index.html").read_text()
    assert (output / "ca/posts/nit-dels-museus/index.html").is_file()
    assert not (output / "posts/petit-mot").exists()
    # Cross-links lead to the new site's pages, old uploads to the copies.
    page = parse_html((output / "fr/posts/visite-nocturne/index.html").read_bytes())
    hrefs = {el.get("href") for el in walk(page) if el.tag == "a"}
    assert {"/ca/posts/nit-dels-museus/", "/ca/posts/petit-mot/", "/uploads/2009/10/castell.gif"} <= hrefs
    assert "https://musee.example.org/ca/posts/nit-dels-museus/" not in hrefs  # Anne's copy from WordPress
    # Comment times are local (Europe/Paris), as the post's.
    times = {el.get("datetime") for el in walk(page) if el.tag == "time"}
    assert "2019-03-15T20:00:00+01:00" in times  # the post
    assert {"2019-03-15T22:10:00+01:00", "2019-04-01T20:30:00+02:00", "2019-06-02T10:00:00+02:00"} <= times
    items = [el for el in walk(page) if el.tag == "li" and (el.get("id") or "").startswith("comment-")]
    shown = [el.get("id") for el in items]
    assert len(shown) == len(set(shown))
    assert "comment-5" not in shown and "comment-3" not in shown  # pending, rejected
    assert {"comment-2", "comment-4", "comment-8", "comment-2002", "comment-wordpress-5"} <= set(shown)
    # check warns about the one old link that no import could point elsewhere, at its line.
    out = run(capsys, "check", "--links", "--site", site)[1]
    warning = next(line for line in out.splitlines() if "old-site" in line)
    assert warning.startswith("content/posts/visite-nocturne.md:") and "http://blog.musee.example/tag/nuit/" in warning
    line = int(warning.split(":")[1])
    assert "blog.musee.example/tag/nuit/" in (site / "content/posts/visite-nocturne.md").read_text().split("\n")[line - 1]


ORDERS = [
    (JOURNEY_DISQUS, WXR_2020),
    (WXR_2020, JOURNEY_DISQUS, WXR_2020),
    (JOURNEY_DISQUS, WXR_2020, JOURNEY_DISQUS, WXR_2020),
    (WXR_2020, WXR_2020, JOURNEY_DISQUS, JOURNEY_DISQUS, WXR_2020),
]


def test_imports_in_any_order_ending_alike_converge(tmp_path_factory: pytest.TempPathFactory,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """After the same first import and the same moderation: every order of the later imports that ends with
    the later WordPress export gives the same content files, byte for byte (and the same manifest)."""
    results = []
    for order in ORDERS:
        site = new_site(capsys, tmp_path_factory.mktemp("order"))
        import_(capsys, site, WXR_2019)
        moderate_and_edit(capsys, site)
        for what in order:
            import_(capsys, site, what)
        results.append((content_files(site), (site / ".museumsite-import.json").read_bytes()))
    first = results[0]
    for order, result in zip(ORDERS[1:], results[1:], strict=True):
        assert result[0].keys() == first[0].keys(), [p.name for p in order]
        different = [path for path in first[0] if result[0][path] != first[0][path]]
        assert different == [], [p.name for p in order]
        assert result[1] == first[1]


def test_imports_without_moderation_converge_in_every_permutation(tmp_path_factory: pytest.TempPathFactory,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """After the first WordPress import (Disqus threads need entries to match): the three exports in every
    order, the older WordPress one again included, then the later WordPress export: the same files."""
    results = {}
    for order in itertools.permutations((WXR_2019, JOURNEY_DISQUS, WXR_2020)):
        site = new_site(capsys, tmp_path_factory.mktemp("permutation"))
        for what in (WXR_2019, *order, WXR_2020):
            import_(capsys, site, what)
        results[tuple(p.name for p in order)] = content_files(site)
    reference = next(iter(results.values()))
    for order, files in results.items():
        assert [path for path in reference if files.get(path) != reference[path]] == [], order


def test_times_written_with_their_zone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = new_site(capsys, tmp_path)
    import_(capsys, site, WXR_2019)
    import_(capsys, site, JOURNEY_DISQUS)
    comments, _ = comments_of(site)
    assert comments[1]["date"] == dt.datetime(2019, 3, 15, 21, 10, tzinfo=dt.timezone.utc)
    assert comments[1]["date"].utcoffset() == dt.timedelta(hours=1)  # Paris in March
    assert comments[2001]["date"].utcoffset() == dt.timedelta(hours=2)  # Disqus's UTC, in Paris in April


def readme_example() -> list[tuple[str, list[str]]]:
    """The worked example of README's "Keeping a migrated blog alive": (command, report lines it shows)."""
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Keeping a migrated blog alive"):]
    block = section[section.index("```sh\n") + 6:]
    steps: list[tuple[str, list[str]]] = []
    for line in block[:block.index("```")].splitlines():
        if line.startswith("#   ") and steps:
            steps[-1][1].append(line[4:].split("  (")[0].removesuffix("...").strip())
        elif line and not line.startswith("#"):
            for command in re.split(r"\s#", line, maxsplit=1)[0].split("&&"):  # '#2' of 'posts/x#2' is no comment
                steps.append((command.strip(), []))
    return steps


def test_the_readme_walks_the_journey_as_written(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Each command of the example runs (the exports are our fixtures), and prints the lines shown under it."""
    files = {"blog-2019.wxr.xml": WXR_2019, "blog-2020.wxr.xml": WXR_2020, "disqus-export.xml": JOURNEY_DISQUS,
             "wp-content/uploads": UPLOADS, "inbox/1556704800.json": JOURNEY / "comment.json"}
    monkeypatch.chdir(tmp_path)
    steps = readme_example()
    assert [command.split()[:3] for command, _ in steps][:2] == [["museumsite", "init", "musee"], ["cd", "musee"]]
    for command, shown in steps:
        words = [str(files.get(word, word)) for word in command.split()]
        if words[0] == "cd":
            monkeypatch.chdir(words[1])
            new_site_config(Path.cwd())
            continue
        if words[0] == "$EDITOR":
            post = Path(words[1])
            post.write_text(post.read_text(encoding="utf-8").replace("lang: fr", "lang: ca")
                            .replace("Bona nit a tots!", "Bona nit a tothom!"), encoding="utf-8")
            continue
        assert words[0] == "museumsite", command
        code, out, err = run(capsys, *words[1:])
        assert code == 0, (command, err)
        for line in shown:
            assert line in out, (command, line)


def new_site_config(site: Path) -> None:
    """The museumsite.yaml the example's comment describes."""
    config = site / "museumsite.yaml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("language: en\n", "language: en\nlanguages: [en, fr, ca, es]\n")
    text = text.replace("timezone: UTC", "timezone: Europe/Paris").replace("https://example.org/",
                                                                           "https://musee.example.org/")
    config.write_text(text, encoding="utf-8")
