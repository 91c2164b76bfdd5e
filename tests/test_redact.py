"""E-mail addresses written by strangers are never published, whichever way they came in.

Every path is driven as a site owner drives it: ``import wordpress``, ``import disqus``,
``comments add`` (a form's JSON, an e-mail), a hand-written archive, then a real build.
The files the import or the inbox wrote and every output file (pages, the four comment
feeds, the post feeds, the search index, decompressed and decoded) are then read for
each address, in every spelling a reader could decode it from: the raw bytes, HTML
character references, percent-encoding, JSON and YAML escapes.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from xml.sax.saxutils import escape

import html5lib
import pytest
import yaml

from museumsite.redact import MARKER, redact_text

from support import SMALL_SITE, MakeSite, leaks, run

CONFIG = """\
title: Museu
base_url: https://museu.example.cat/
language: ca
languages: [ca, fr, en]
timezone: Europe/Madrid
"""


def page(site: Path, url: str) -> str:
    tree = html5lib.parse((site / "_site" / url / "index.html").read_bytes(), namespaceHTMLElements=False)
    return " ".join("".join(tree.itertext()).split())


# -- WordPress -------------------------------------------------------------------------------

COMMENTS = [  # (author, HTML body as WordPress stores it)
    ("Camille", "Très belle visite ! écrivez-moi : jean.martin@example.com"),
    ("Josep", "El meu correu és josé.ferrer@exemple.fr, o bé zoë@exämple.de si no respon."),
    ("Ana Quintana <ana.quintana@example.org>", "Entity-encoded: ana.quintana&#64;example.org and bo.lind&#x40;example.net."),
    ("lluis.llach@example.cat", ('Quoted: "jean-luc picard"@example.com, then '
                                '<a href="mailto:marta.vidal@example.cat">marta.vidal@example.cat</a> and '
                                '<a href="mailto:pau.riba@example.cat?subject=Hola">escriu-me</a>.')),
    ("Núria", "My old page https://nuria.pons@example.cat/cv and &lt;oriol.serra@example.cat&gt; end."),
]
SECRETS = ["jean.martin", "josé.ferrer", "zoë@", "exämple", "ana.quintana", "bo.lind", "jean-luc picard",
           "marta.vidal", "pau.riba", "nuria.pons", "oriol.serra", "lluis.llach"]


def wxr(comments: list[tuple[str, str]], post_body: str = "Una jornada al museu.") -> str:
    parts = "".join(
        f"<wp:comment><wp:comment_id>{n}</wp:comment_id><wp:comment_author>{escape(author)}</wp:comment_author>"
        f"<wp:comment_author_email>private{n}@example.net</wp:comment_author_email>"
        f"<wp:comment_date_gmt>2009-10-20 10:0{n}:00</wp:comment_date_gmt>"
        f"<wp:comment_content>{escape(body)}</wp:comment_content>"
        f"<wp:comment_approved>1</wp:comment_approved></wp:comment>" for n, (author, body) in enumerate(comments, 1))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">\n'
            "<channel><title>Bloc</title><link>http://museu.example.cat</link>"
            "<wp:author><wp:author_id>1</wp:author_id><wp:author_login>marta</wp:author_login>"
            "<wp:author_email>directora@museu.example.cat</wp:author_email>"
            "<wp:author_display_name>Marta</wp:author_display_name></wp:author>"
            "<item><title>Quina jornada</title><dc:creator>marta</dc:creator>"
            f"<content:encoded>{escape(post_body)}</content:encoded>"
            "<wp:post_id>1</wp:post_id><wp:post_date_gmt>2009-10-20 07:00:00</wp:post_date_gmt>"
            "<wp:post_name>quina-jornada</wp:post_name><wp:status>publish</wp:status>"
            f"<wp:post_type>post</wp:post_type>{parts}</item></channel></rss>\n")


def test_wordpress_import_writes_no_address_and_the_build_publishes_none(
        make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site({}, config=CONFIG)
    export = tmp_path / "export.xml"
    export.write_text(wxr(COMMENTS, "Escriviu-nos a reserves@museu.example.cat per a les visites."), encoding="utf-8")
    code, out, err = run(capsys, "import", "wordpress", export, "--site", site)
    assert code == 0, err
    # 10 in bodies (the mailto link whose text is its address counts once), 2 in names
    assert "e-mail addresses cut from comments: 12 (2 from author names, 10 from comment bodies)" in out
    assert leaks(site / "content", SECRETS) == []
    archive = yaml.safe_load((site / "content/comments/posts/quina-jornada.yaml").read_text(encoding="utf-8"))
    comments = archive["comments"]
    assert [c["author"] for c in comments] == ["Camille", "Josep", "Ana Quintana", "Anonymous", "Núria"]
    assert comments[0]["lang"] == "fr"  # detected as before: the text around the address is kept
    code, _, err = run(capsys, "build", "--site", site, "--quiet")
    assert code == 0, err
    assert leaks(site / "_site", SECRETS) == []
    text = page(site, "posts/quina-jornada")
    assert f"écrivez-moi : {MARKER}" in text
    assert f"El meu correu és {MARKER}, o bé {MARKER} si no respon." in text
    assert f"Quoted: {MARKER}, then {MARKER} and escriu-me." in text  # the link goes, its text stays
    assert f"My old page https://{MARKER}/cv and {MARKER} end." in text
    tree = (site / "_site/posts/quina-jornada/index.html").read_text(encoding="utf-8")
    assert "mailto:" not in tree
    # The site's own post is not a stranger's text: its contact address is published as written.
    assert "reserves@museu.example.cat" in text


def test_an_import_without_addresses_says_so(make_site: MakeSite, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site({}, config=CONFIG)
    export = tmp_path / "export.xml"
    export.write_text(wxr([("Pere", "Quina jornada! Tornarem @ la tardor, a les 10.30."),
                           ("Marta", "Follow @museu on the network.")]), encoding="utf-8")
    code, out, err = run(capsys, "import", "wordpress", export, "--site", site)
    assert code == 0, err
    assert "e-mail addresses cut from comments: 0\n" in out
    bodies = [c["body"] for c in yaml.safe_load(
        (site / "content/comments/posts/quina-jornada.yaml").read_text(encoding="utf-8"))["comments"]]
    assert "Tornarem @ la tardor, a les 10.30." in bodies[0] and "@museu on the network" in bodies[1]


# -- Disqus ----------------------------------------------------------------------------------

def disqus(posts: list[tuple[str, str, str]]) -> str:
    found = "".join(
        f'<post dsq:id="{n}"><message>{escape(body)}</message><createdAt>2010-02-0{n}T10:00:00Z</createdAt>'
        f"<isDeleted>false</isDeleted><isSpam>false</isSpam><author><email>x{n}@example.net</email>"
        f"<name>{escape(name)}</name><isAnonymous>false</isAnonymous><username>{escape(user)}</username></author>"
        f'<thread dsq:id="10"/></post>' for n, (name, user, body) in enumerate(posts, 1))
    return ('<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
            'xmlns:dsq="http://disqus.com/disqus-internals"><thread dsq:id="10">'
            "<link>https://museu.example.cat/posts/quina-jornada/</link></thread>"
            f"{found}</disqus>\n")


def test_disqus_authors_named_by_their_address_are_not_published(
        make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site({"content/posts/quina-jornada.md": "---\ntitle: Quina jornada\ndate: 2009-10-20\n---\nCos.\n"},
                     config=CONFIG)
    export = tmp_path / "disqus.xml"
    export.write_text(disqus([
        ("gemma.puig@example.cat", "gemmapuig", "<p>Molt interessant, gràcies.</p>"),
        ("", "ramon.vila@example.cat", ("<p>Contact: ramon.vila&#64;example.cat, or "
                                       "<a href=\"mailto:ramon.vila@example.cat\">me</a>.</p>")),
        ("Teresa <teresa.bosch@exemple.fr>", "tbosch", "<p>Écrivez à teresa.bosch@exemple.fr !</p>"),
    ]), encoding="utf-8")
    code, out, err = run(capsys, "import", "disqus", export, "--site", site)
    assert code == 0, err
    assert "e-mail addresses cut from comments: 6 (3 from author names, 3 from comment bodies)" in out
    secrets = ["gemma.puig", "ramon.vila", "teresa.bosch"]
    assert leaks(site / "content", secrets) == []
    comments = yaml.safe_load((site / "content/comments/posts/quina-jornada.yaml").read_text(encoding="utf-8"))
    assert [c["author"] for c in comments["comments"]] == ["Anonymous", "Anonymous", "Teresa"]
    code, _, err = run(capsys, "build", "--site", site, "--quiet")
    assert code == 0, err
    assert leaks(site / "_site", secrets) == []
    assert f"Contact: {MARKER}, or me." in page(site, "posts/quina-jornada")


def test_a_disqus_reimport_replaces_a_comment_an_older_import_wrote_with_its_address(
        make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same comment, once named by its address: replaced in place, not kept beside a 'disqus-1' copy."""
    old = ("comments:\n- id: 1\n  parent: null\n  author: gemma.puig@example.cat\n  author_url: null\n"
           "  date: 2010-02-01 10:00:00+00:00\n  lang: ca\n  status: approved\n  type: comment\n  staff: false\n"
           "  format: html\n  body: '<p>Escriviu-me: gemma.puig@example.cat</p>'\n")
    site = make_site({"content/posts/quina-jornada.md": "---\ntitle: Quina jornada\ndate: 2009-10-20\n---\nCos.\n",
                      "content/comments/posts/quina-jornada.yaml": old}, config=CONFIG)
    export = tmp_path / "disqus.xml"
    export.write_text(disqus([("gemma.puig@example.cat", "gemmapuig", "<p>Escriviu-me: gemma.puig@example.cat</p>")]),
                      encoding="utf-8")
    code, _, err = run(capsys, "import", "disqus", export, "--site", site, "--force")
    assert code == 0, err
    comments = yaml.safe_load((site / "content/comments/posts/quina-jornada.yaml").read_text(encoding="utf-8"))
    assert [(c["id"], c["author"]) for c in comments["comments"]] == [(1, "Anonymous")]
    assert leaks(site / "content", ["gemma.puig"]) == []


# -- The inbox -------------------------------------------------------------------------------

FORM_BODY = ("Merci ! Mon adresse : josé.ferrer@exemple.fr, ou ana.quintana&#64;example.org, "
             'ou "jean martin"@example.com, ou [écrivez-moi](mailto:bo.lind@example.net), '
             "ou <zoë@exämple.de>.\n\nÀ bientôt.")


def test_a_form_comment_keeps_no_address_in_any_spelling(make_site: MakeSite, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(SMALL_SITE)
    form = tmp_path / "c.json"
    form.write_text(json.dumps({"entry": "posts/hello", "author": "Ana Quintana <ana.quintana@example.org>",
                                "author_url": "https://example.net/contact?to=ana.quintana%40example.org",
                                "body": FORM_BODY, "date": "2024-05-12T09:30:00+05:30"}), encoding="utf-8")
    code, out, err = run(capsys, "comments", "add", str(form), "--site", str(site))
    assert code == 0, err
    assert "5 e-mail addresses cut from the body" in out
    assert "an e-mail address was cut from the author's name" in out
    assert "dropped author_url: it holds an e-mail address" in out
    stored = site / "content/comments/posts/hello.yaml"
    secrets = ["josé.ferrer", "ana.quintana", "jean martin", "bo.lind", "zoë"]
    assert leaks(stored.parent, secrets) == []
    added = yaml.safe_load(stored.read_text(encoding="utf-8"))["comments"][-1]
    assert added["author"] == "Ana Quintana" and "author_url" not in added
    assert added["body"].rstrip("\n") == (f"Merci ! Mon adresse : {MARKER}, ou {MARKER}, ou {MARKER}, ou écrivez-moi, "
                             f"ou {MARKER}.\n\nÀ bientôt.")
    assert str(added["date"]) == "2024-05-12 06:00:00+02:00"  # the site's zone, not the sender's
    assert "+05:30" not in stored.read_text(encoding="utf-8")
    assert run(capsys, "comments", "approve", "posts/hello#1", "--site", str(site))[0] == 0
    assert run(capsys, "build", "--site", str(site), "--quiet")[0] == 0
    assert leaks(site / "_site", secrets) == []


MAIL = """\
From: "Pere Soler" <pere.soler@example.cat>
To: comments@example.org
Subject: Re: Hello
Date: Sun, 12 May 2024 21:05:00 -0700
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Una entrada excel·lent. Escriviu-me a pere.soler&#64;example.cat o a josé.ferrer@exemple.fr.

{quoted}
"""
OUTLOOK = """\
________________________________
From: Laura Riera <laura.riera@example.cat>
Sent: Sunday, May 12, 2024 10:00 AM
To: Pere Soler <pere.soler@example.cat>; Quim Mas <quim.mas@example.net>
Subject: Hello

A new post: https://example.org/posts/hello/
Write to quim.mas@example.net if you want to come.
"""
OUTLOOK_FR = """\
De : Laura Riera <laura.riera@example.cat>
Envoyé : dimanche 12 mai 2024 10:00
À : quim.mas@example.net
Objet : Hello

Texte cité.
"""
FORWARDED = """\
---------- Forwarded message ---------
From: Laura Riera <laura.riera@example.cat>
Date: Sun, May 12, 2024 at 10:00 AM
To: <quim.mas@example.net>

Un missatge reenviat.
"""
APPLE = """\
Begin forwarded message:

> From: Laura Riera <laura.riera@example.cat>
> To: quim.mas@example.net
"""


@pytest.mark.parametrize("quoted", [OUTLOOK, OUTLOOK_FR, FORWARDED, APPLE], ids=["outlook", "outlook-fr",
                                                                                  "gmail-forward", "apple-forward"])
def test_an_email_comment_keeps_only_the_reply_without_addresses_or_the_senders_offset(
        make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str], quoted: str) -> None:
    site = make_site(SMALL_SITE)
    mail = tmp_path / "reply.eml"
    mail.write_text(MAIL.format(quoted=quoted), encoding="utf-8")
    code, out, err = run(capsys, "comments", "add", str(mail), "--site", str(site))
    assert code == 0, err
    stored = site / "content/comments/posts/hello.yaml"
    secrets = ["pere.soler", "josé.ferrer", "laura.riera", "Laura Riera", "quim.mas", "Quim Mas"]
    assert leaks(stored.parent, secrets) == []
    text = stored.read_text(encoding="utf-8")
    added = yaml.safe_load(text)["comments"][-1]
    assert added["body"].rstrip("\n") == f"Una entrada excel·lent. Escriviu-me a {MARKER} o a {MARKER}."
    assert str(added["date"]) == "2024-05-13 06:05:00+02:00" and "-07:00" not in text
    assert "2 e-mail addresses cut from the body" in out


# -- Hand-written archives, at build ---------------------------------------------------------

ARCHIVE = """\
comments:
  - id: 1
    author: Marta Vidal <marta.vidal@example.cat>
    author_url: https://example.net/?mail=marta.vidal%40example.cat
    date: 2024-05-11 10:00:00+02:00
    lang: ca
    body: |
      Escriviu-me a <marta.vidal@example.cat> o a [la Marta](mailto:marta.vidal@example.cat).
      També: jose&#x301;.ferrer&#64;exemple.fr.
  - id: 2
    author: zoë@exämple.de
    date: 2024-05-11 11:00:00+02:00
    format: html
    body: '<p>Mon adresse : <strong>"jean martin"@example.com</strong>, ana.quintana&#x40;example.org.</p>'
  - id: 3
    author: Pere
    date: 2024-05-11 12:00:00+02:00
    body: Reserves a pere.soler @ exemple.cat; obrim a les 7.30pm.
  - id: 4
    author: Roc
    date: 2024-05-11 13:00:00+02:00
    body: |
      Escriviu a ana.vives@example .org o a quim.mas@example
      .net. Tanquem a les 9. O a \u202egro.elpmaxe@seviv\u202c.
"""


def test_a_hand_written_archive_publishes_no_address(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site({**SMALL_SITE, "content/comments/posts/hello.yaml": ARCHIVE})
    code, _, err = run(capsys, "build", "--site", str(site))
    assert code == 0, err
    assert leaks(site / "_site", ["marta.vidal", "josé.ferrer", "zoë", "jean martin", "ana.quintana", "pere.soler",
                                  "ana.vives", "quim.mas", "elpmaxe@seviv"]) == []
    assert "content/comments/posts/hello.yaml:2: warning: comment 1: e-mail address in body, author, author_url " \
           "not published" in err
    assert "content/comments/posts/hello.yaml:10: warning: comment 2: e-mail address in body, author" in err
    text = page(site, "posts/hello")
    assert f"Escriviu-me a {MARKER} o a la Marta. També: {MARKER}." in text
    assert f"Mon adresse : {MARKER}, {MARKER}." in text
    assert f"Reserves a {MARKER}; obrim a les 7.30pm." in text
    assert "content/comments/posts/hello.yaml:15: warning: comment 3: e-mail address in body not published" in err
    # An address split by a space or a line break before a dot of its domain still reads as one.
    assert f"Escriviu a {MARKER} o a {MARKER}. Tanquem a les 9. O a {MARKER}." in text
    assert "content/comments/posts/hello.yaml:19: warning: comment 4: e-mail address in body not published" in err
    assert "Marta Vidal" in text
    html_text = (site / "_site/posts/hello/index.html").read_text(encoding="utf-8")
    assert "mailto:" not in html_text and "example.net/?mail" not in html_text


def test_the_site_owners_own_fields_are_not_redacted(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site({"content/posts/contact.md": textwrap.dedent("""\
        ---
        title: Contacte
        date: 2024-05-10
        authors: [reserves@museu.example.cat]
        ---
        Escriviu a [reserves@museu.example.cat](mailto:reserves@museu.example.cat).
        """)}, config=CONFIG + "author: Museu <direccio@museu.example.cat>\n")
    code, _, err = run(capsys, "build", "--site", str(site), "--quiet")
    assert code == 0, err
    published = (site / "_site/posts/contact/index.html").read_text(encoding="utf-8")
    assert 'href="mailto:reserves@museu.example.cat"' in published
    assert "direccio@museu.example.cat" in (site / "_site/feeds/atom.xml").read_text(encoding="utf-8")


# -- The redaction itself: each spelling, the text around kept -------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("écrivez-moi : jean.martin@example.com", f"écrivez-moi : {MARKER}"),
    ("josé@exemple.fr.", f"{MARKER}."),
    ("jose\u0301@exemple.fr", MARKER),  # decomposed: a combining accent
    ("user@exämple.de and user@xn--exmple-cua.de", f"{MARKER} and {MARKER}"),
    ("संपर्क@डाटामेल.भारत", MARKER),
    ("ana&#64;example.org / ana&#x40;example.org / ana&commat;example.org", f"{MARKER} / {MARKER} / {MARKER}"),
    ("&#97;&#110;&#97;&#64;&#101;&#120;&#46;&#111;&#114;&#103;", MARKER),  # Python-Markdown's automail
    ('"jean martin"@example.com wrote', f"{MARKER} wrote"),
    ('ana@bob@example.org, Ï@"0"@0.org, a@b@c@example.org, ana@@example.org, Ï@0"0"@0.org.',  # glued by at signs
     f"{MARKER}, {MARKER}, {MARKER}, {MARKER}, {MARKER}."),
    ("ana [at] example [dot] org, ana(at)example.org", f"{MARKER}, {MARKER}"),
    ("ana＠example。org", MARKER),
    ("<ana@example.org> <mailto:ana@example.org?subject=Hi>", f"{MARKER} {MARKER}"),
    ("[write](mailto:ana@example.org) [ana@example.org](mailto:ana@example.org)", f"write {MARKER}"),
    ("https://ana@example.org/x ftp://ana%40example.org@ftp.example.org/", f"https://{MARKER}/x ftp://{MARKER}/"),
    ("ana@[192.0.2.1]", MARKER),
    ("*ana@example.org* `ana@example.org`", f"*{MARKER}* `{MARKER}`"),
    ("ana@example.org(work) [ana@example.org][1]", f"{MARKER}(work) [{MARKER}][1]"),
    ("3@1.50, a @ b, @museu, 10 @ 12.30, user@localhost", "3@1.50, a @ b, @museu, 10 @ 12.30, user@localhost"),
    ("ana @ example.org, ana@ example.org, ana\u00a0@\u00a0example.org.", f"{MARKER}, {MARKER}, {MARKER}."),
    ("ana\u3000＠\u3000example.org, ana\u202f@\u202fexample.org", f"{MARKER}, {MARKER}"),
    ("ana &#64; example.org, ana&commat; example.org, x &#64; 7.30pm", f"{MARKER}, {MARKER}, x &#64; 7.30pm"),
    ("sopar @ 7.30pm, follow @ana.bsky.social, more @ www.museu.cat",
     "sopar @ 7.30pm, follow @ana.bsky.social, more @ www.museu.cat"),
    # Spaces or a line break before a dot of the domain (and maybe after it): still one address.
    ("ana@example .org, ana@example\n.org, ana@mail.example . org, ana@example\u00a0.org.",
     f"{MARKER}, {MARKER}, {MARKER}, {MARKER}."),
    # Shown backwards by a right-to-left override, the run reads "ana@example.org": cut whole. Hebrew is no address.
    ("Write to \u202egro.elpmaxe@ana\u202c, or \u202e\u05e9\u05dc\u05d5\u05dd\u202c 3@1",
     f"Write to {MARKER}, or \u202e\u05e9\u05dc\u05d5\u05dd\u202c 3@1"),
    # Not with spaces after the dot alone (prose: "write to ana@museu. Thanks"), nor before digits.
    ("write to ana@museu. Thanks, score 3@1 .50, file .json", "write to ana@museu. Thanks, score 3@1 .50, file .json"),
    # The older spellings keep every top-level label, IDN ones too, with spaces around their brackets.
    ("ana [at] example.xn--p1ai, ana (at) example [dot] xn--p1ai", f"{MARKER}, {MARKER}"),
    ("a@b.orgc@d.org x@a.org.1 \"0\"@0.orgcomment0.0.0@0.org", f"{MARKER} {MARKER}.1 {MARKER}.{MARKER}"),
    (MARKER, MARKER),  # a second pass cuts nothing
])
def test_every_spelling_of_an_address_is_cut_and_the_text_around_kept(text: str, expected: str) -> None:
    assert redact_text(text)[0] == expected
