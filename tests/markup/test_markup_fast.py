"""The plain-summary shortcut gives exactly what Python-Markdown gives, or stands aside.

A one-sentence summary in front matter used to cost a second full Markdown
conversion per entry; ``plain_paragraph`` recognises text Markdown would only wrap
in ``<p>``. Checked here against the real converter on generated text.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from museumsite.markup.convert import _Context, make_markdown, plain_paragraph

MD = make_markdown(_Context())
TEXT = st.text(st.sampled_from(list("abcéàçABZ019 ,.;:?!'\"()’«»…–—%/-*_[]<>&#`\\{}|~^=+\n\t")), min_size=1, max_size=40)
PROSE = st.lists(st.sampled_from(["Musée", "d'art", "talks,", "2024", "(new)", "«Ara»", "—", "50%", "a/b", "ok."]),
                 min_size=1, max_size=8).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(TEXT, PROSE))
def test_plain_paragraph_is_what_markdown_makes_or_none(text: str) -> None:
    plain = plain_paragraph(text)
    if plain is not None:
        assert plain == MD.reset().convert(text)


def test_the_shortcut_takes_ordinary_sentences_and_leaves_markup_to_markdown() -> None:
    assert plain_paragraph("Un musée d'art, à Lyon (2024): «ouvert» — 50% gratuit.") is not None
    for text in ("*stress*", "a [link](x.md)", "- a list", "# Title", "a  b", "x & y", "<b>x</b>", "1. one", ""):
        assert plain_paragraph(text) is None
