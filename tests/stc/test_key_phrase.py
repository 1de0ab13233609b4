"""Theme labels in the participants' own words: a key phrase of the most typical sentence."""

from __future__ import annotations

from kollega.stc.steps.impression import ThemeSuggester
from kollega.stc.text import key_phrase


def test_the_phrase_is_the_shortest_run_with_the_most_keywords() -> None:
    typical = [
        "Jeg fortalte ingen på jobben om det, fordi sjefen min ville ha tenkt at jeg var svak.",
        "Det var viktig at ingen på jobben fikk vite det.",
    ]
    assert key_phrase(typical, ["jobben", "sjefen", "svak"]) == "Jobben om det, fordi sjefen"
    # "sjefen ... svak" is nine words, past the limit of eight: two keywords within it win.
    assert key_phrase(typical, ["jobben", "ingen", "kona"]) == "Ingen på jobben"


def test_a_short_phrase_is_widened_to_three_words() -> None:
    assert key_phrase(["Nattevaktene slet meg ut til slutt."], ["nattevaktene", "slet"]) == (
        "Nattevaktene slet meg"
    )


def test_no_phrase_where_no_sentence_holds_two_keywords() -> None:
    assert key_phrase(["Jeg sov dårlig."], ["sov", "kona"]) is None
    assert key_phrase([], ["sov", "kona"]) is None


def test_suggested_theme_labels_are_phrases_of_their_typical_sentences_or_keywords(
    tiny, hashing
) -> None:
    est = ThemeSuggester(n=2, min_words=3, embedder=hashing).fit([tiny])
    for c in est.candidates_:
        from_sentence = any(c.label.lower() in t.lower() for t in c.typical_texts)
        assert from_sentence or c.label == ", ".join(c.keywords)
