"""``comments add`` on hostile e-mails and form files: refused with the file and line, nothing written.

Every input goes through the command line into a real site (tests/conftest.py's small
site); the archive folder is compared before and after. What each input costs in time
and memory is measured in benchmarks/hostile_input.py (``--only mails``), not here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from museumsite.cli import main

from support import FORM, SMALL_SITE, MakeSite, snapshot

HEAD = ("From: Ann Example <ann@example.org>\nTo: comments@example.org\nSubject: Re: Hello\n"
        "Date: Sun, 12 May 2024 21:05:00 +0200\nMIME-Version: 1.0\n")
TEXT = "Content-Type: text/plain; charset=utf-8\n\nThank you for this post.\n"


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    return make_site(SMALL_SITE)


def add(site: Path, tmp_path: Path, name: str, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    code = main(["comments", "add", str(source), "--site", str(site)])
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    return code, out.out + out.err


def nested(levels: int, kind: str = "multipart") -> str:
    if kind == "multipart":
        return HEAD + "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(levels)) \
            + TEXT + "".join(f"--b{i}--\n" for i in reversed(range(levels)))
    return HEAD + 'Content-Type: multipart/mixed; boundary="b"\n\n--b\n' + TEXT + "--b\n" \
        + "Content-Type: message/rfc822\n\n" * levels + HEAD + TEXT + "--b--\n"


def parts(count: int) -> str:
    return HEAD + 'Content-Type: multipart/mixed; boundary="b"\n\n' + f"--b\n{TEXT}" * count + "--b--\n"


# (name, the e-mail, the line named, what the message says)
HOSTILE = [
    ("from-dots", HEAD.replace("Ann Example <ann@example.org>", "a." * 10_000) + TEXT, 1,
     "the From header is 20,001 bytes long (at most 998)"),
    ("from-encoded-words", HEAD.replace("Ann Example", "=?utf-8?q?a?= " * 2_000) + TEXT, 1, "the From header"),
    ("folded-subject", HEAD.replace("Re: Hello", "=?utf-8?b?YQ==?=\n " * 1_000) + TEXT, 3, "the Subject header"),
    ("sender-folded-over-lines", "From: Ann\n" + " <a@b.c>\n" * 200 + "Subject: x\n\nhi\n", 1, "the From header"),
    ("part-content-type", HEAD + 'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain; '
     + 'a="b"; ' * 200 + "\n\nhi\n--b--\n", 9, "the Content-Type header"),
    ("long-unread-header", HEAD + "X-Anything: " + "x" * 20_000 + "\n" + TEXT, 6, "the X-Anything header"),
    ("many-fields", HEAD + "X-A: b\n" * 600 + TEXT, 501, "more than 500 header fields"),
    ("many-parts", parts(150), 408, "more than 100 MIME parts"),
    ("nested-multiparts", nested(2_000), 54, "more than 16 nested"),
    ("nested-messages", nested(40, "message"), 43, "more than 16 nested"),
    ("encoded-boundary", HEAD + "Content-Type: multipart/mixed; boundary*0=\"b\"\n\n--b\n" + TEXT + "--b--\n", 6,
     "RFC 2231"),
    ("nested-inside-a-part", HEAD + 'Content-Type: multipart/mixed; boundary="o"\n\n--o\n'
     + 'Content-Type: multipart/mixed; boundary="i"\n\n--i\nContent-Type: text/plain\nX-B: ' + "y" * 17_000
     + "\n\nhi\n--i--\n--o--\n", 13, "the X-B header"),
]


@pytest.mark.parametrize(("name", "text", "line", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_mail_is_refused_before_it_is_parsed(name: str, text: str, line: int, message: str, site: Path,
                                                     tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(site)
    code, err = add(site, tmp_path, f"{name}.eml", text, capsys)
    assert code == 1 and f"{tmp_path / name}.eml:{line}: refused before reading the e-mail: " in err, err
    assert message in err and "hint: " in err and "Nothing was written." in err
    assert snapshot(site) == before


def test_real_mail_with_long_headers_it_does_not_read_is_accepted(site: Path, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A reply from a mail program: mbox line, 60 Received, a long References, an Autocrypt key, nested parts."""
    references = " ".join(f"<{n}.thread@lists.example.org>" for n in range(250))  # 8 KB, folded
    mail = ("From ann@example.org Sun May 12 21:05:00 2024\n"
            + "Received: from mx.example.org by mail.example.net; Sun, 12 May 2024 21:05:00 +0200\n" * 60
            + HEAD + "References: " + references.replace(" ", "\n ") + "\n"
            + "Autocrypt: addr=ann@example.org; keydata=\n " + "\n ".join(["QUJD" * 19] * 50) + "\n"
            + "DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=s1;\n b=" + "x" * 300 + "\n"
            + 'Content-Type: multipart/mixed; boundary="outer"\n\n--outer\n'
            + 'Content-Type: multipart/alternative; boundary="inner"\n\n--inner\n' + TEXT
            + "--inner\nContent-Type: text/html\n\n<p>Thank you for this post.</p>\n--inner--\n"
            + "--outer\nContent-Type: message/rfc822\n\n" + HEAD + TEXT + "--outer--\n")
    code, err = add(site, tmp_path, "real.eml", mail, capsys)
    assert code == 0, err
    comments = yaml.safe_load((site / "content/comments/posts/hello.yaml").read_text(encoding="utf-8"))["comments"]
    assert comments[-1]["author"] == "Ann Example" and comments[-1]["body"].strip() == "Thank you for this post."


@pytest.mark.parametrize("sender", [
    # A display name that is an address, encoded in two words: Python's parser joins them with a space
    # ('"Ann Vidal"@ example.org'), where RFC 2047 joins them with none.
    '=?utf-8?b?IkFubiBWaWRhbCJA?=\n =?utf-8?q?example=2Eorg?= <sender@example.net>',
    '=?utf-8?q?=22Ann_Vidal=22?=\n =?utf-8?q?=40example=2Eorg?= <sender@example.net>',  # split before the @
])
def test_an_address_split_across_encoded_words_is_not_kept_as_the_name(sender: str, site: Path, tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    mail = HEAD.replace("Ann Example <ann@example.org>", sender) + TEXT
    code, err = add(site, tmp_path, "split.eml", mail, capsys)
    assert code == 0, err
    archive = (site / "content/comments/posts/hello.yaml").read_text(encoding="utf-8")
    assert "example.org" not in archive and "Vidal" not in archive, archive
    assert yaml.safe_load(archive)["comments"][-1].get("author", "") == ""


@pytest.mark.parametrize("body", [
    "x" * 70_000,  # one word
    ("Merci pour cet article, très intéressant. " * 1700),  # prose
])
def test_a_comment_longer_than_wordpress_allows_is_refused(body: str, site: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(site)
    for name, text in (("long.eml", HEAD + TEXT + body + "\n"),
                       ("long.json", json.dumps({"entry": "posts/hello", "author": "A", "body": body}))):
        code, err = add(site, tmp_path, name, text, capsys)
        assert code == 1 and f"{tmp_path / name}: the comment is " in err and "(at most 65,525)" in err, err
    assert snapshot(site) == before


def test_a_long_line_without_address_before_a_quote_is_cut_like_any_other(
        site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The attribution search ran again for every quoted line, and the address pattern was quadratic."""
    mail = HEAD + TEXT + "Thanks!\n\nOn Monday, ann@example.org wrote:\n" + "> quoted\n" * 3000 + "\nBye.\n"
    code, err = add(site, tmp_path, "quote.eml", mail, capsys)
    assert code == 0, err
    comments = yaml.safe_load((site / "content/comments/posts/hello.yaml").read_text(encoding="utf-8"))["comments"]
    assert comments[-1]["body"].strip() == "Thank you for this post.\nThanks!\n\nBye."


# Form files (JSON) ----------------------------------------------------------------------



@pytest.mark.parametrize(("extra", "message"), [
    ('  "parent": ' + "9" * 5000, "a number of more than 100 digits"),
    ('  "parent": -' + "1" * 4400, "a number of more than 100 digits"),
    ('  "rating": [1, 2, ' + "7" * 5000 + "]", "a number of more than 100 digits"),
    ('  "parent": "' + "9" * 5000 + '"', "'parent'"),  # a string is kept, and refused as an id
    ('  "x": ' + "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('  "x": ' + "{\"a\": " * 65 + "1" + "}" * 65, "nested too deeply"),
])
def test_hostile_form_values_are_errors_at_their_line(extra: str, message: str, site: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(site)
    code, err = add(site, tmp_path, "form.json", FORM.format(extra=extra), capsys)
    assert code == 1 and f"{tmp_path / 'form.json'}:5: " in err and message in err, err
    assert snapshot(site) == before


def test_a_form_may_nest_and_count_within_bounds(site: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    extra = '  "x": ' + "[" * 60 + "]" * 60 + ', "n": ' + "9" * 100 + ', "f": 1.' + "5" * 300 + ', "s": "[[[[' + \
            "9" * 200 + '"'
    code, err = add(site, tmp_path, "form.json", FORM.format(extra=extra), capsys)
    assert code == 0, err
