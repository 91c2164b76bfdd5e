"""New comments come from the site itself: the default theme's "Leave a comment" block, and back.

A real site with ``comments: {form: ..., email: ...}`` is built and its pages parsed with
html5lib; what the form would post (its fields, as a collector stores them: one JSON
object) and what a reader's mail program would send for a "reply by e-mail" link go
through the real ``museumsite comments add``, and land as pending comments in the right
archive under the right parent. ``comments add`` also finds an entry by its old
permalink (an alias) and by its URL without the language prefix.
"""

from __future__ import annotations

import json
import textwrap
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import yaml

from museumsite.comments.inbox import FORM_FIELDS, HONEYPOT, THEME_FORM_FIELDS
from museumsite.render.search import pagefind_binary

from support import BASE_CONFIG, FIXTURES, SMALL_SITE, MakeSite, fragments, local_name, parse_html, run, walk

FORM = "https://collector.example.net/submit"
ARCHIVE = (FIXTURES / "intake" / "hello.yaml").read_text(encoding="utf-8")
FILES = {**SMALL_SITE, "content/comments/posts/hello.yaml": ARCHIVE,
         "content/posts/reseaux.fr.md": "---\ntitle: Évaluer nos réseaux\ndate: 2024-06-02\n"
                                        "aliases: [/2009/10/evaluer-nos-reseaux/]\n---\nTexte.\n"}


def config(**comments: str) -> str:
    settings = "".join(f"  {key}: {value}\n" for key, value in comments.items())
    return BASE_CONFIG + (f"comments:\n{settings}" if settings else "")


def built(make_site: MakeSite, capsys: pytest.CaptureFixture[str], **comments: str) -> Path:
    site = make_site(FILES, config=config(**comments))
    code, _, err = run(capsys, "build", "--site", site, "--quiet")
    assert code == 0, err
    return site


def page(site: Path, path: str) -> Any:
    return parse_html((site / "_site" / path / "index.html").read_bytes())


def elements(tree: Any, tag: str) -> list[Any]:
    return [e for e in walk(tree) if isinstance(e.tag, str) and local_name(e.tag) == tag]


def the_form(tree: Any) -> Any:
    forms = elements(tree, "form")
    assert len(forms) == 1
    return forms[0]


def posted(form: Any, **typed: str) -> dict[str, str]:
    """What the browser sends: each named field with its value (a select: its first option unless chosen)."""
    fields: dict[str, str] = {}
    for element in walk(form):
        name = element.get("name") if isinstance(element.tag, str) else None
        if name is None:
            continue
        tag = local_name(element.tag)
        if tag == "select":
            options = elements(element, "option")
            fields[name] = options[0].get("value", "")
        elif tag in ("input", "textarea") and element.get("type") != "submit":
            fields[name] = element.get("value", "") if tag == "input" else (element.text or "")
    return {**fields, **typed}


def comments_of(site: Path, key: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load((site / "content/comments" / f"{key}.yaml").read_text(encoding="utf-8"))["comments"])


def add(capsys: pytest.CaptureFixture[str], site: Path, tmp_path: Path, name: str, data: bytes) -> tuple[int, str, str]:
    path = tmp_path / name
    path.write_bytes(data)
    return run(capsys, "comments", "add", path, "--site", site)


# -- the form ---------------------------------------------------------------------------------------


def test_the_form_posts_what_comments_add_reads_and_lands_pending_under_its_parent(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    site = built(make_site, capsys, form=FORM)
    form = the_form(page(site, "posts/hello"))
    assert form.get("action") == FORM and form.get("method") == "post"
    fields = posted(form)
    assert set(fields) == set(THEME_FORM_FIELDS) and set(THEME_FORM_FIELDS) <= set(FORM_FIELDS)
    options = [o.get("value") for o in elements(form, "option")]
    assert options == ["", "1", "2"]  # a new comment, or a reply to any published one

    # The reader answers Pau; the collector keeps the posted fields as one JSON object.
    answer = posted(form, parent="2", author="Núria", author_url="https://nuria.example.cat/",
                    body="Una *resposta* des del formulari.")
    code, out, err = add(capsys, site, tmp_path, "1.json", json.dumps(answer).encode())
    assert code == 0, err
    assert "posts/hello#3" in out and "dropped" not in out
    added = comments_of(site, "posts/hello")[-1]
    assert (added["id"], added["parent"], added["author"], added["status"]) == (3, 2, "Núria", "pending")
    assert added["author_url"] == "https://nuria.example.cat/" and added["body"].startswith("Una *resposta*")


def test_a_page_without_comments_gets_the_form_and_starts_its_archive(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    site = built(make_site, capsys, form=FORM)
    fields = posted(the_form(page(site, "fr/posts/hello")))  # a translation: the same thread
    assert fields["entry"] == "posts/hello"
    fields = posted(the_form(page(site, "posts/second")), author="Ana", body="First!")
    assert set(fields) == set(THEME_FORM_FIELDS) and fields["parent"] == ""
    code, _, err = add(capsys, site, tmp_path, "2.json", json.dumps(fields).encode())
    assert code == 0, err
    assert [(c["id"], c["parent"], c["status"]) for c in comments_of(site, "posts/second")] == [(1, None, "pending")]


def test_a_filled_in_trap_is_spam_and_is_refused(make_site: MakeSite, capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    site = built(make_site, capsys, form=FORM)
    before = (site / "content/comments/posts/hello.yaml").read_bytes()
    robot = posted(the_form(page(site, "posts/hello")), author="Cheap pills", body="Buy now",
                   **{HONEYPOT: "https://pills.example/"})
    code, _, err = add(capsys, site, tmp_path, "spam.json", json.dumps(robot, indent=1).encode())
    assert code == 1
    assert f"spam.json:{2 + list(robot).index(HONEYPOT)}: the hidden field '{HONEYPOT}' is filled in: spam" in err
    assert (site / "content/comments/posts/hello.yaml").read_bytes() == before


def test_reply_links_fill_the_parent(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = built(make_site, capsys, form=FORM)
    tree = page(site, "posts/hello")
    replies = {a.get("data-parent"): a for a in elements(tree, "a") if "comment-reply" in a.get("class", "")}
    assert set(replies) == {"1", "2"}
    assert all(a.get("href") == "#respond" for a in replies.values())  # without JavaScript: to the form
    assert replies["2"].get("aria-label") == "Reply to Pau"
    section = next(e for e in elements(tree, "section") if e.get("id") == "respond")
    assert section.get("aria-labelledby") == "respond-title"
    labels = {label.get("for") for label in elements(section, "label")}
    assert {e.get("id") for e in walk(section) if isinstance(e.tag, str) and e.get("name")
            and e.get("type") != "hidden"} <= labels  # every visible field has its label
    scripts = [s.get("src") for s in elements(tree, "script")]
    assert "/theme/js/comments.js" in scripts


@pytest.mark.skipif(pagefind_binary() is None, reason="the Pagefind program is not installed")
def test_the_block_is_interface_and_stays_out_of_the_search_index(make_site: MakeSite,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    site = built(make_site, capsys, form=FORM, email="comments@example.org")
    indexed = fragments(site / "_site")["en"]["/posts/hello/"]
    assert "Quina entrada" in indexed  # the comments are searched
    for words in ("Leave a comment", "Send the comment", "Leave this field empty", "Reply", "comments@example.org"):
        assert words not in indexed


def test_without_the_setting_there_is_no_form_and_no_reply_link(make_site: MakeSite,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    site = built(make_site, capsys)
    tree = page(site, "posts/hello")
    assert elements(tree, "form") == [] and not any(e.get("id") == "respond" for e in walk(tree)
                                                   if isinstance(e.tag, str))
    assert not [a for a in elements(tree, "a") if "comment-reply" in a.get("class", "")]
    assert "/theme/js/comments.js" not in [s.get("src") for s in elements(tree, "script")]


def test_only_the_kinds_named_offer_it(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = built(make_site, capsys, form=FORM)
    assert elements(page(site, "speakers/ada"), "form") == []  # speakers are not in the default kinds
    assert len(elements(page(site, "talks/opening"), "form")) == 1
    site = make_site(FILES, config=config(form=FORM, kinds="[talks]"), name="talks-only")
    assert run(capsys, "build", "--site", site, "--quiet")[0] == 0
    assert elements(page(site, "posts/hello"), "form") == []
    assert len(elements(page(site, "talks/opening"), "form")) == 1


# -- by e-mail --------------------------------------------------------------------------------------


def mail(link: str, sender: str = "Ana Puig <ana@example.cat>", text: str = "Molt d'acord amb tu.\n") -> bytes:
    """The message a mail program sends for a ``mailto:`` link (RFC 6068), its Subject as the link set it."""
    parts = urlsplit(link)
    assert parts.scheme == "mailto"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = unquote(parts.path)
    message["Subject"] = parse_qs(parts.query)["subject"][0]
    message["Date"] = "Sat, 11 May 2024 18:00:00 +0200"
    message.set_content(text)
    return bytes(message)


def test_a_reply_by_mail_names_its_entry_and_parent_in_the_subject(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    site = built(make_site, capsys, email="comments@example.org")
    tree = page(site, "posts/hello")
    assert elements(tree, "form") == []
    replies = {a.get("data-parent"): a.get("href") for a in elements(tree, "a") if "comment-reply" in a.get("class", "")}
    assert replies["1"].startswith("mailto:comments@example.org?subject=")  # without a form: a mail per comment
    code, _, err = add(capsys, site, tmp_path, "reply.eml", mail(replies["1"]))
    assert code == 0, err
    added = comments_of(site, "posts/hello")[-1]
    assert (added["id"], added["parent"], added["author"], added["status"]) == (3, 1, "Ana Puig", "pending")

    # The block's own link starts a new conversation; a title in another script survives the Subject's encoding.
    section = next(e for e in elements(page(site, "fr/posts/reseaux"), "section") if e.get("id") == "respond")
    link = next(a.get("href") for a in elements(section, "a") if a.get("href", "").startswith("mailto:"))
    code, _, err = add(capsys, site, tmp_path, "new.eml", mail(link, text="Bravo !\n"))
    assert code == 0, err
    added = comments_of(site, "posts/reseaux")[-1]
    assert (added["id"], added["parent"], added["status"]) == (1, None, "pending")


def test_the_form_and_the_mail_link_agree_on_the_parent(make_site: MakeSite, capsys: pytest.CaptureFixture[str],
                                                       tmp_path: Path) -> None:
    site = built(make_site, capsys, form=FORM, email="comments@example.org")
    form = the_form(page(site, "posts/hello"))
    by_parent = {o.get("value"): o.get("data-mailto") for o in elements(form, "option")}
    code, _, err = add(capsys, site, tmp_path, "2.eml", mail(by_parent["2"]))
    assert code == 0, err
    assert comments_of(site, "posts/hello")[-1]["parent"] == 2


@pytest.mark.parametrize(("settings", "line", "message"), [
    ({"form": "http://collector.example.net/submit"}, 8,
     "comments.form 'http://collector.example.net/submit' is not an https:// address or a path of this site"),
    ({"form": "javascript:alert(1)"}, 8, "comments.form 'javascript:alert(1)' is not an https:// address"),
    ({"email": "'mailto:comments@example.org'"}, 8, "comments.email 'mailto:comments@example.org' is not an e-mail"),
    ({"kinds": "[post, talks]"}, 8, "comments.kinds: 'post' is not a kind of entry\n  hint: did you mean 'posts'?"),
])
def test_bad_settings_are_errors_at_their_line(make_site: MakeSite, capsys: pytest.CaptureFixture[str],
                                               settings: dict[str, str], line: int, message: str) -> None:
    site = make_site(FILES, config=config(**settings))
    code, _, err = run(capsys, "build", "--site", site)
    assert code == 2
    assert f"museumsite.yaml:{line}: {message}" in err and "Traceback" not in err


def test_local_settings_are_accepted(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    for number, form in enumerate(("/api/comments", "http://localhost:8080/submit")):
        site = make_site(FILES, config=config(form=form), name=f"site{number}")
        assert run(capsys, "build", "--site", site, "--quiet")[0] == 0
        assert the_form(page(site, "posts/hello")).get("action") == form


# -- comments add: the URL a comment names -----------------------------------------------------------


@pytest.mark.parametrize(("url", "key"), [
    ("https://oldblog.example.com/2009/10/evaluer-nos-reseaux/", "posts/reseaux"),  # an alias on the old host
    ("http://www.example.org/2009/10/evaluer-nos-reseaux/index.html", "posts/reseaux"),
    ("https://example.org/fr/2009/10/evaluer-nos-reseaux", "posts/reseaux"),
    ("https://example.org/posts/reseaux/", "posts/reseaux"),  # French only: its URL without the language prefix
    ("https://example.org/POSTS/reseaux", "posts/reseaux"),
])
def test_comments_add_finds_an_entry_by_its_alias_or_its_url_without_language(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str, key: str) -> None:
    site = make_site(FILES, config=config())
    code, out, err = add(capsys, site, tmp_path, "c.json",
                         json.dumps({"url": url, "author": "A", "body": "Merci pour ce billet."}).encode())
    assert code == 0, err
    assert f"{key}#1" in out


def test_a_url_that_could_mean_two_entries_means_none(make_site: MakeSite, capsys: pytest.CaptureFixture[str],
                                                      tmp_path: Path) -> None:
    files = {**FILES, "content/posts/nota.ca.md": "---\ntitle: Nota\ndate: 2024-06-03\nslug: reseaux\n---\nText.\n"}
    site = make_site(files, config=textwrap.dedent(config()).replace("[en, fr]", "[en, fr, ca]"))
    code, _, err = add(capsys, site, tmp_path, "c.json",
                       json.dumps({"url": "https://example.org/posts/reseaux/", "body": "?"}).encode())
    assert code == 1 and "is not a page of an entry of the site" in err
