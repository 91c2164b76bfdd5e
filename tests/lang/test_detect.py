"""Comment language detection: right language, or "und" rather than a guess.

The sentences here are our own and not in benchmarks/langdetect_samples.yaml, so the
threshold picked on that set is checked on text it was not tuned on.
"""

from __future__ import annotations

import pytest

from museumsite.lang.detect import (
    DEFAULT_CANDIDATES,
    DEFAULT_THRESHOLD,
    detect_language,
    known_languages,
    prepare,
)

OWN_SENTENCES = {
    "en": ["I really enjoyed the panel on volunteer guides, thank you for organising it.",
           "Would it be possible to get a copy of the handout?",
           "My daughter loved the dinosaur gallery."],
    "fr": ["Nous avons beaucoup aimé la visite guidée du samedi matin.",
           "Est-ce que la présentation sera mise en ligne bientôt ?",
           "Le musée était fermé quand nous sommes arrivés, dommage."],
    "ca": ["Moltes gràcies per la xerrada, m'ha agradat molt com heu explicat el projecte.",
           "Ens veiem dissabte a la biblioteca del barri.",
           "Aquesta exposició és una meravella, hi tornaré amb els nens."],
    "es": ["Muchas gracias por la charla, me ha gustado mucho cómo habéis explicado el proyecto.",
           "Nos vemos el sábado en la biblioteca del barrio.",
           "Esta exposición es una maravilla, volveré con los niños."],
    "de": ["Wir haben die Führung am Samstagmorgen sehr genossen.",
           "Wird die Präsentation bald online gestellt?",
           "Leider war das Museum geschlossen, als wir ankamen."],
    "it": ["Abbiamo apprezzato molto la visita guidata del sabato mattina.",
           "La presentazione verrà pubblicata online a breve?",
           "Purtroppo il museo era chiuso quando siamo arrivati."],
    "pt": ["Gostámos muito da visita guiada de sábado de manhã.",
           "A apresentação vai ser publicada na internet em breve?",
           "Infelizmente o museu estava fechado quando chegámos."],
    "nl": ["We hebben erg genoten van de rondleiding op zaterdagochtend.",
           "Wordt de presentatie binnenkort online gezet?",
           "Helaas was het museum dicht toen we aankwamen."],
}


@pytest.mark.parametrize(("lang", "text"), [(lang, text) for lang, texts in OWN_SENTENCES.items()
                                            for text in texts])
def test_each_language_is_recognised(lang: str, text: str) -> None:
    assert detect_language(text, DEFAULT_CANDIDATES, DEFAULT_THRESHOLD) == lang


def test_a_catalan_comment_is_ca_with_the_default_candidates() -> None:
    # The Spanish twin of this sentence is in OWN_SENTENCES too: the near pair is the hard case.
    comment = "<p>Gràcies per compartir-ho! Jo també hi era i vaig aprendre moltíssim.</p>"
    assert detect_language(comment) == "ca"
    assert detect_language(comment, DEFAULT_CANDIDATES, DEFAULT_THRESHOLD) == "ca"


@pytest.mark.parametrize("text", ["", "   ", "ok", "OK!", "+1", "👍", "👍🎉😂", ":-)", "xD",
                                  "<p></p>", "<p>ok</p>", "https://example.org/gracias-amigos",
                                  "@marta #museumweb", "1234 5678"])
def test_no_language_to_find_is_und(text: str) -> None:
    assert detect_language(text, DEFAULT_CANDIDATES, DEFAULT_THRESHOLD) == "und"


def test_threshold_is_respected() -> None:
    # "Bien dit." is French but short and close to other Romance languages: the model
    # guesses with low confidence, which the default threshold refuses.
    assert detect_language("Bien dit.", DEFAULT_CANDIDATES, 0.0) != "und"
    assert detect_language("Bien dit.", DEFAULT_CANDIDATES, DEFAULT_THRESHOLD) == "und"
    long_text = OWN_SENTENCES["ca"][0]
    assert detect_language(long_text, DEFAULT_CANDIDATES, 0.99) == "ca"


def test_the_answer_is_always_among_the_candidates() -> None:
    catalan = OWN_SENTENCES["ca"][0]
    # Probabilities are shared among the candidates only, so a language left out of
    # them is never found: that is why the defaults list eight languages.
    assert detect_language(catalan, ("en", "de"), 0.0) in {"en", "de"}
    assert detect_language(catalan, ("ca",), 0.0) == "ca"
    assert detect_language(OWN_SENTENCES["es"][0], ("ca", "es"), DEFAULT_THRESHOLD) == "es"


def test_markup_urls_and_mentions_do_not_count() -> None:
    text = ('<p>@jordi <a href="https://www.example.es/gracias-por-todo">'
            "https://www.example.es/noticias/espana</a> Moltes gràcies per l'enllaç, "
            "me'l guardo per llegir-lo aquest vespre.</p>")
    assert prepare(text) == "Moltes gràcies per l'enllaç, me'l guardo per llegir-lo aquest vespre."
    assert detect_language(text) == "ca"
    assert prepare("Caf&eacute;<br>au&nbsp;lait, write to ada@example.org") == "Café au lait, write to"


def test_bad_arguments_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="unknown language code"):
        detect_language("Bonjour à tous, merci pour la soirée.", ("fr", "xx"), 0.5)
    with pytest.raises(ValueError, match="at least one candidate"):
        detect_language("Bonjour", (), 0.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        detect_language("Bonjour", DEFAULT_CANDIDATES, 1.5)
    assert set(DEFAULT_CANDIDATES) <= known_languages()
