"""Moderation in files: ``museumsite comments add | list | approve | reject``.

Real sites, real archive files, the real command line (``museumsite.cli.main``); the
built pages are parsed with html5lib. What matters to a site owner: a new comment is
published only once approved, approving or rejecting one comment leaves every other
byte of a hand-written archive alone, no e-mail address ever lands in an archive, and
bad input is refused with a message naming the file, leaving everything unchanged.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib
import pytest
import yaml

from support import FIXTURES, SMALL_SITE, MakeSite, run

MODERATE = FIXTURES / "moderate"
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")

# Hand-written: a YAML comment line, a quoted value, a trailing comment on a line,
# an unusual blank line, and a pending comment in the middle.
HELLO_ARCHIVE = """\
# Comments on "Hello". Kept by hand: please keep this line.
comments:
  - id: 1
    author: "Marta"    # quoted on purpose
    date: 2024-05-11 10:00:00+02:00
    lang: ca
    body: |
      Quina entrada més bona!

  - id: 7
    parent: 1
    author: Pau
    date: 2024-05-11 12:00:00+02:00
    lang: ca
    status: pending   # waiting for Laura
    body: |
      Una resposta que encara espera moderació.
  # a note between comments
  - id: 9
    author: Claire
    date: 2024-05-11 13:00:00+02:00
    lang: fr
    status: approved
    body: Tout à fait d'accord.
"""


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    return make_site({**SMALL_SITE, "content/comments/posts/hello.yaml": HELLO_ARCHIVE})


def archive(site: Path, key: str = "posts/hello") -> Path:
    return site / "content" / "comments" / f"{key}.yaml"


def build_page(site: Path, capsys: pytest.CaptureFixture[str], url: str = "posts/hello") -> ET.Element:
    code, _, err = run(capsys, "build", "--site", str(site), "--quiet")
    assert code == 0, err
    page = site / "_site" / url / "index.html"
    tree: ET.Element = html5lib.parse(page.read_bytes(), treebuilder="etree", namespaceHTMLElements=False)
    return tree


def comment_ids(tree: ET.Element) -> list[str]:
    return [li.get("id", "") for li in tree.iter("li") if li.get("id", "").startswith("comment-")]


def output_text(site: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace")
                     for p in sorted((site / "_site").rglob("*")) if p.is_file())


def comments_of(site: Path, key: str = "posts/hello") -> list[dict[str, object]]:
    data = yaml.safe_load(archive(site, key).read_text(encoding="utf-8"))
    return list(data["comments"])


# -- add ---------------------------------------------------------------------------------


def test_form_json_is_appended_pending_and_published_only_after_approval(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = archive(site).read_text(encoding="utf-8")
    code, out, err = run(capsys, "comments", "add", str(MODERATE / "form.json"), "--site", str(site))
    assert code == 0, err
    assert "Added posts/hello#10 as pending" in out  # max numeric id (9) + 1
    assert "dropped fields not in the archive format: email, ip, user_agent" in out
    after = archive(site).read_text(encoding="utf-8")
    assert after.startswith(before)  # appended as text: not one byte before it changed
    added = comments_of(site)[-1]
    assert added["id"] == 10 and added["status"] == "pending" and added["format"] == "markdown"
    assert added["author"] == "Jeanne Martin" and added["author_url"] == "https://jeanne.example.fr/"
    assert added["lang"] == "fr" and str(added["date"]) == "2024-05-12 09:30:00+02:00"
    assert "*très* utile" in str(added["body"])
    assert set(added) <= {"id", "parent", "author", "author_url", "date", "lang", "status", "type", "format", "body"}
    for private in ("jeanne@example.fr", "203.0.113.7", "Mozilla"):
        assert private not in after

    tree = build_page(site, capsys)
    assert "comment-10" not in comment_ids(tree)
    assert "Merci pour ce billet" not in output_text(site)  # pending: in no page, feed or sitemap

    code, out, err = run(capsys, "comments", "approve", "10", "--site", str(site))
    assert code == 0, err
    assert "Approved posts/hello#10" in out
    tree = build_page(site, capsys)
    li = next(li for li in tree.iter("li") if li.get("id") == "comment-10")
    text = "".join(li.itertext())
    assert "Merci pour ce billet" in text and "Jeanne Martin" in text
    assert li.get("lang") == "fr"
    assert li.find(".//em") is not None  # the Markdown was converted
    assert comment_ids(tree) == ["comment-1", "comment-9", "comment-10"]  # 7 is still pending


def test_email_keeps_no_address_and_only_the_reply(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "comments", "add", str(MODERATE / "reply.eml"), "--site", str(site))
    assert code == 0, err
    assert "posts/hello#10" in out  # from the Subject "Re: Re: Hello"
    text = archive(site).read_text(encoding="utf-8")
    assert not ADDRESS.search(text), ADDRESS.search(text)
    assert "198.51.100.23" not in text and "Thunderbird" not in text and "+34" not in text
    added = comments_of(site)[-1]
    assert added["author"] == "Pere Soler"
    assert str(added["date"]) == "2024-05-12 21:05:00+02:00"
    body = str(added["body"])
    assert body.startswith("Una entrada excel·lent, moltes gràcies per compartir-la amb tots nosaltres.")
    assert "A new post" not in body and "Intro paragraph" not in body  # the quote
    assert "va escriure" not in body  # the attribution line before the quote
    assert "Pere Soler" not in body  # the signature
    assert added["lang"] == "ca"  # detected
    assert added["status"] == "pending"


def test_email_entry_from_header_and_new_archive(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert not archive(site, "talks/opening").exists()
    code, out, err = run(capsys, "comments", "add", str(MODERATE / "by-header.eml"), "--site", str(site))
    assert code == 0, err
    assert "talks/opening#1" in out
    created = archive(site, "talks/opening").read_text(encoding="utf-8")
    assert created.startswith("comments:\n  - id: 1\n")
    assert not ADDRESS.search(created)
    code, _, err = run(capsys, "comments", "approve", "talks/opening#1", "--site", str(site))
    assert code == 0, err
    tree = build_page(site, capsys, "talks/opening")
    assert comment_ids(tree) == ["comment-1"]


@pytest.mark.parametrize("url", [
    "https://example.org/posts/second/",
    "http://example.org/posts/second",
    "https://www.example.org/posts/second/?ref=mail#respond",
    "https://example.org/fr/posts/second/",  # no French version: the language prefix is dropped
    "https://example.org/posts/second/index.html",
])
def test_entry_found_by_url_whatever_its_form(make_site: MakeSite, tmp_path: Path, url: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site(SMALL_SITE)
    form = tmp_path / "c.json"
    form.write_text(f'{{"url": "{url}", "author": "A", "body": "Nice post, thanks for writing it."}}')
    code, out, err = run(capsys, "comments", "add", str(form), "--site", str(root))
    assert code == 0, err
    assert "posts/second#1" in out
    added = comments_of(root, "posts/second")[0]
    assert added["lang"] == "en" and added["parent"] is None


def test_awkward_bodies_survive_the_yaml(site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bodies = [
        "    indented code first\nthen text",
        "key: value\n- not a list\n# not a comment\n---\n...",
        "'quoted' \"twice\" and a tab\there",
        "<script>alert(1)</script> [link](javascript:alert(2))",
    ]
    for number, body in enumerate(bodies):
        form = tmp_path / f"c{number}.json"
        form.write_text(json.dumps({"entry": "posts/hello", "author": "- x: y", "body": body}), encoding="utf-8")
        code, _, err = run(capsys, "comments", "add", str(form), "--site", str(site))
        assert code == 0, err
    added = comments_of(site)[-len(bodies):]
    assert [str(c["body"]).rstrip("\n") for c in added] == bodies
    assert all(c["author"] == "- x: y" for c in added)
    for comment in added:
        assert run(capsys, "comments", "approve", f"posts/hello#{comment['id']}", "--site", str(site))[0] == 0
    tree = build_page(site, capsys)
    assert len(comment_ids(tree)) == 2 + len(bodies)
    assert not any(s.text and "alert" in s.text for s in tree.iter("script"))
    assert all("javascript" not in (a.get("href") or "") for a in tree.iter("a"))


def test_add_to_an_empty_archive(make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({**SMALL_SITE, "content/comments/posts/hello.yaml": "# none yet\ncomments: []  # empty\n"})
    form = tmp_path / "c.json"
    form.write_text('{"entry": "posts/hello", "author": "A", "body": "First!"}')
    assert run(capsys, "comments", "add", str(form), "--site", str(root))[0] == 0
    text = archive(root).read_text(encoding="utf-8")
    assert text.startswith("# none yet\ncomments:  # empty\n  - id: 1\n")
    assert comments_of(root)[0]["body"] == "First!\n"


# -- approve and reject keep the rest of the file ---------------------------------------


def test_approve_changes_only_the_status_line(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = archive(site).read_text(encoding="utf-8").splitlines(keepends=True)
    tree = build_page(site, capsys)
    assert comment_ids(tree) == ["comment-1", "comment-9"]
    code, out, err = run(capsys, "comments", "approve", "posts/hello#7", "--site", str(site))
    assert code == 0, err
    after = archive(site).read_text(encoding="utf-8").splitlines(keepends=True)
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    assert len(after) == len(before) and changed == [14]
    assert after[14] == "    status: approved   # waiting for Laura\n"
    tree = build_page(site, capsys)
    assert comment_ids(tree) == ["comment-1", "comment-7", "comment-9"]
    # Approving again changes nothing and says so.
    code, out, _ = run(capsys, "comments", "approve", "7", "--site", str(site))
    assert code == 0 and "already approved" in out
    assert archive(site).read_text(encoding="utf-8").splitlines(keepends=True) == after


def test_reject_deletes_only_that_comment(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = archive(site).read_text(encoding="utf-8")
    code, out, err = run(capsys, "comments", "reject", "7", "--site", str(site))
    assert code == 0, err
    assert "Rejected posts/hello#7" in out
    after = archive(site).read_text(encoding="utf-8")
    start = before.index("  - id: 7")
    end = before.index("  # a note between comments")
    assert after == before[:start] + before[end:]
    assert [c["id"] for c in comments_of(site)] == [1, 9]
    assert build_page(site, capsys) is not None


def test_reject_the_last_comment_leaves_an_empty_archive(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({**SMALL_SITE, "content/comments/posts/second.yaml": """
        # kept
        comments:
          - id: 3
            author: Spam
            date: 2024-05-11 10:00:00+02:00
            status: pending
            body: Buy now.
        """})
    assert run(capsys, "comments", "reject", "posts/second#3", "--site", str(root))[0] == 0
    assert archive(root, "posts/second").read_text(encoding="utf-8") == "# kept\ncomments: []\n"
    build_page(root, capsys, "posts/second")


def test_reject_refuses_a_comment_with_replies(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = archive(site).read_bytes()
    code, _, err = run(capsys, "comments", "reject", "1", "--site", str(site))
    assert code == 2
    assert "posts/hello#1 has replies (7)" in err
    assert archive(site).read_bytes() == before


def test_bare_id_in_two_archives_is_ambiguous(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(archive(site), archive(site, "posts/second"))
    before = archive(site).read_bytes()
    code, _, err = run(capsys, "comments", "approve", "7", "--site", str(site))
    assert code == 2
    assert "comment id 7 is in several archives: posts/hello#7, posts/second#7" in err
    assert archive(site).read_bytes() == before
    code, _, err = run(capsys, "comments", "approve", "posts/second#7", "--site", str(site))
    assert code == 0, err
    assert archive(site).read_bytes() == before
    code, _, err = run(capsys, "comments", "approve", "42", "--site", str(site))
    assert code == 2 and "no comment 42" in err


# -- list --------------------------------------------------------------------------------


def test_list_shows_one_line_per_comment(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "comments", "list", "--site", str(site))
    assert code == 0
    lines = out.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["posts/hello#1", "posts/hello#7", "posts/hello#9"]
    assert lines[1].split("\t") == ["posts/hello#7", "2024-05-11 12:00+02:00", "Pau", "ca", "pending",
                                    "Una resposta que encara espera moderació."]
    code, out, _ = run(capsys, "comments", "list", "--pending", "--site", str(site))
    assert code == 0 and [line.split("\t")[0] for line in out.splitlines()] == ["posts/hello#7"]


# -- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "text", "message"), [
    ("broken.json", '{"entry": "posts/hello",\n "body": }', "broken.json:2: invalid JSON"),
    ("list.json", '["posts/hello", "hi"]', "a comment is a JSON object"),
    ("typo.json", '{"entry": "posts/helo", "body": "hi"}', "'posts/helo' is not an entry of the site"),
    ("nowhere.json", '{"url": "https://example.org/posts/nope/", "body": "hi"}', "is not a page of an entry"),
    ("silent.json", '{"entry": "posts/hello", "author": "A"}', "the comment has no body"),
    ("naive.json", '{"entry": "posts/hello", "body": "hi", "date": "2024-05-01 10:00"}', "has no time zone"),
    ("orphan.json", '{"entry": "posts/hello", "body": "hi", "parent": 99}', "'parent' 99 is not a comment"),
    ("lang.json", '{"entry": "posts/hello", "body": "hi", "lang": "French"}', "'French' is not a language code"),
    ("plain.eml", "just some text\n", "not an e-mail message"),
    ("v6.json", '{"url": "http://[oops/posts/hello/", "body": "hi"}', "is not a page of an entry"),
    ("deep.json", "[" * 100_000, "nested too deeply"),
])
def test_bad_json_or_mail_writes_nothing(site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         name: str, text: str, message: str) -> None:
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    before = {p: p.read_bytes() for p in (site / "content").rglob("*") if p.is_file()}
    code, out, err = run(capsys, "comments", "add", str(source), "--site", str(site))
    assert code == 1
    assert message in err and str(source) in err and "Nothing was written." in err
    assert "Traceback" not in err and out == ""
    assert {p: p.read_bytes() for p in (site / "content").rglob("*") if p.is_file()} == before


@pytest.mark.parametrize(("name", "message"), [
    ("html-only.eml", "the e-mail has no text/plain part"),
    ("no-entry.eml", "the e-mail does not say which entry it is for"),
    ("two-entries.eml", "could be about several entries: posts/hello, posts/second"),
])
def test_mail_without_a_usable_entry_or_text(site: Path, capsys: pytest.CaptureFixture[str],
                                             name: str, message: str) -> None:
    before = sorted((site / "content").rglob("*"))
    code, _, err = run(capsys, "comments", "add", str(MODERATE / name), "--site", str(site))
    assert code == 1 and message in err and "hint:" in err
    assert sorted((site / "content").rglob("*")) == before


def test_missing_file_and_broken_archive(site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "comments", "add", str(tmp_path / "nope.json"), "--site", str(site))
    assert code == 2 and "cannot read" in err and "nope.json" in err
    archive(site).write_text(HELLO_ARCHIVE.replace("lang: fr", "lang: [fr"), encoding="utf-8")
    before = archive(site).read_bytes()
    code, _, err = run(capsys, "comments", "add", str(MODERATE / "form.json"), "--site", str(site))
    assert code == 1 and "content/comments/posts/hello.yaml:2" in err and "fix the archive" in err
    assert archive(site).read_bytes() == before


# -- archive layouts written by other hands ------------------------------------------------

CRLF = ("comments:\r\n  - id: 1\r\n    author: A\r\n    date: 2024-05-11 10:00:00+02:00\r\n    status: pending\r\n"
        "    body: |\r\n      Hi there\r\n  - id: 2\r\n    author: B\r\n    date: 2024-05-11 11:00:00+02:00\r\n"
        "    body: Yo\r\n")
NOT_LAST = ("comments:\n- id: 1\n  author: A\n  date: 2024-05-11 10:00:00+02:00\n  status: 'pending'\n"
            "  body: |+\n    keep\n\n# trailer\nnote: kept by hand\n")
NO_FINAL_NEWLINE = "comments:\n  - id: 1\n    author: A\n    date: 2024-05-11 10:00:00+02:00\n    status: pending\n" \
    "    body: Hi"


@pytest.mark.parametrize(("layout", "approved", "rejected"), [
    (CRLF, CRLF.replace("status: pending", "status: approved"), "comments:\r\n" + CRLF[CRLF.index("  - id: 2"):]),
    (NOT_LAST, NOT_LAST.replace("'pending'", "approved"), "comments: []\n\n# trailer\nnote: kept by hand\n"),
    (NO_FINAL_NEWLINE, NO_FINAL_NEWLINE.replace("pending", "approved"), "comments: []\n"),
])
def test_approve_reject_and_add_in_any_layout(make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              layout: str, approved: str, rejected: str) -> None:
    root = make_site(SMALL_SITE)
    path = archive(root, "posts/second")
    path.parent.mkdir(parents=True)
    for action, expected in (("approve", approved), ("reject", rejected)):
        path.write_bytes(layout.encode())
        code, _, err = run(capsys, "comments", action, "posts/second#1", "--site", str(root))
        assert code == 0, err
        assert path.read_bytes().decode() == expected
    path.write_bytes(layout.encode())
    form = tmp_path / "c.json"
    form.write_text('{"entry": "posts/second", "author": "Z", "body": "A new comment here."}')
    code, _, err = run(capsys, "comments", "add", str(form), "--site", str(root))
    assert code == 0, err
    text = path.read_bytes().decode()
    head = layout if layout.endswith("\n") else layout + "\n"
    if layout is NOT_LAST:
        head = layout[:layout.index("note:")]
        assert text.endswith("note: kept by hand\n")
    assert text.startswith(head)
    assert [c["id"] for c in comments_of(root, "posts/second")] == ([1, 2, 3] if layout is CRLF else [1, 2])
    if layout is CRLF:
        assert "\n" not in text.replace("\r\n", "")


def test_address_as_display_name_is_not_kept(site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mail = tmp_path / "m.eml"
    mail.write_text('From: "someone@example.net" <someone@example.net>\nSubject: Re: Hello\n'
                    "Date: Mon, 13 May 2024 08:00:00 +0000\nContent-Type: text/plain; charset=iso-8859-1\n"
                    "Content-Transfer-Encoding: 8bit\n\n", encoding="ascii")
    with mail.open("ab") as handle:
        handle.write("Très intéressant, merci beaucoup pour ce billet.\n".encode("iso-8859-1"))
    code, out, err = run(capsys, "comments", "add", str(mail), "--site", str(site))
    assert code == 0, err
    assert "cut from the author's name" in out
    added = comments_of(site)[-1]
    assert added["author"] == "" and added["body"] == "Très intéressant, merci beaucoup pour ce billet.\n"
    assert "example.net" not in archive(site).read_text(encoding="utf-8")


def test_huge_file_and_no_site(site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    huge = tmp_path / "huge.json"
    huge.write_text('{"entry": "posts/hello", "body": "' + "x" * 1_000_001 + '"}')
    before = archive(site).read_bytes()
    code, _, err = run(capsys, "comments", "add", str(huge), "--site", str(site))
    assert code == 1 and "too big for a comment" in err
    assert archive(site).read_bytes() == before
    code, _, err = run(capsys, "comments", "list", "--site", str(tmp_path / "nowhere"))
    assert code == 2 and "no museumsite.yaml" in err


def test_add_uses_an_existing_yml_archive(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({**SMALL_SITE, "content/comments/posts/hello.yml": HELLO_ARCHIVE})
    code, _, err = run(capsys, "comments", "add", str(MODERATE / "form.json"), "--site", str(root))
    assert code == 0, err
    assert not archive(root).exists()
    assert "Merci pour ce billet" in (root / "content/comments/posts/hello.yml").read_text(encoding="utf-8")
