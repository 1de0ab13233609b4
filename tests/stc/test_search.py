"""Finding words and phrases in a transcript: case, accents, word forms, exact offsets."""

from __future__ import annotations

from kollega.stc.search import find, fold, in_context, query_words, sentence_around


def _found(text: str, query: str, language: str = "nb") -> list[str]:
    return [text[h.start : h.end] for h in find(text, query_words(query), language=language)]


def test_case_and_accents_do_not_count() -> None:
    text = "Vi møttes på en kafé. KAFE var stengt. Kafe\u0301en var full."
    assert _found(text, "kafe") == ["kafé", "KAFE"]
    assert _found(text, "Kafé") == ["kafé", "KAFE"]
    assert fold("Kafe\u0301") == fold("KAFÉ") == "kafe"


def test_norwegian_word_forms_are_found() -> None:
    text = "Jeg ble sykemeldt. Sykemeldingen varte lenge, og sykemeldinger er vanlige."
    assert _found(text, "sykemelding") == ["Sykemeldingen", "sykemeldinger"]
    text = "Kollegene mine hjalp, og en kollega til. Kolleger flest gjør det."
    assert _found(text, "kollegene") == ["Kollegene", "kollega", "Kolleger"]


def test_english_word_forms_are_found_in_an_english_transcript() -> None:
    text = "I trusted her. Trusting people is hard; trust takes time. A truss is not it."
    assert _found(text, "trust", "en") == ["trusted", "Trusting", "trust"]
    # Without a stemmer for the language, only case and accents are folded.
    assert _found(text, "trust", "xx") == ["trust"]


def test_a_phrase_is_its_words_in_order_and_never_runs_across_turns() -> None:
    text = "Jeg trengte råd. Råd trengte jeg.\n\nJeg trengte\n\nråd likevel, trengte  RÅDENE."
    assert _found(text, "trengte råd") == ["trengte råd", "trengte  RÅDENE"]
    assert _found(text, "råd trengte") == ["Råd trengte"]
    assert _found(text, "") == []


def test_offsets_point_into_the_original_text_with_combining_marks_and_emoji() -> None:
    # Decomposed é (two code points), an emoji outside the BMP and a ZWJ sequence before the
    # word: a normalised copy would shift every offset after them.
    text = "Cafe\u0301 🙂 👩\u200d⚕️ og så: «Legevakten» ringte. Legevakta svarte 🙂."
    hits = find(text, query_words("legevakt"), language="nb")
    assert [text[h.start : h.end] for h in hits] == ["Legevakten", "Legevakta"]
    assert hits[0].start == text.index("Legevakten")
    assert hits[1].end == text.index(" svarte")
    cafe = find(text, ["café"], language="nb")
    assert [(h.start, h.end) for h in cafe] == [(0, 5)]


def test_the_sentence_around_a_match_stays_in_its_turn() -> None:
    text = "Hei. Jeg var sliten etter vakter! Det gikk over.\n\nNeste tur."
    start = text.index("sliten")
    found = sentence_around(text, start, start + 6, within=(0, text.index("\n\n")))
    assert text[found.start : found.end] == "Jeg var sliten etter vakter!"
    start = text.index("Neste")
    found = sentence_around(text, start, start + 5, within=(start, len(text)))
    assert text[found.start : found.end] == "Neste tur."


def test_keyword_in_context_cuts_at_words() -> None:
    text = "en to tre fire fem seks sju åtte ni ti elleve tolv"
    start = text.index("seks")
    left, words, right = in_context(text, start, start + 4, within=(0, len(text)), width=12)
    assert words == "seks"
    assert left == "…fire fem "
    assert right == " sju åtte…"
