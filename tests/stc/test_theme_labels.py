"""Step 1 theme labels read as phrases from the participants' own sentences (issue 21)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from kollega.stc.assist import Matrix
from kollega.stc.io.transcripts import transcript_from_text
from kollega.stc.steps import ThemeSuggester
from kollega.stc.text import STOPWORDS, class_tfidf_phrases, words

# Two subjects per language, in every interview: sick leave and shame; calling the peer line.
NB = {
    "leave": [
        "Jeg følte mye skam over sykemeldingen fra fastlegen min.",
        "Det var sykemelding og skam hele vinteren for meg.",
        "Sykemelding og skam hang sammen for meg den våren.",
        "Etter tre uker med sykemelding og skam kunne jeg ikke møte kollegene.",
    ],
    "line": [
        "Til slutt turte jeg å ringe kollegatelefonen en kveld.",
        "Kona sa at jeg burde ringe kollegatelefonen med en gang.",
        "Da jeg ringte kollegatelefonen svarte en erfaren lege.",
        "Neste morgen ringte jeg kollegatelefonen igjen fra bilen.",
    ],
}
EN = {
    "leave": [
        "I felt real shame about the sick leave from my doctor.",
        "The sick leave felt like failure and shame every single morning.",
        "My sick leave lasted three months over the dark winter.",
        "Nobody at the hospital knew about my sick leave then.",
    ],
    "line": [
        "In the end I dared to call the peer support line one evening.",
        "My wife said I should call the peer support line at once.",
        "When I called the peer support line an experienced doctor answered.",
        "The peer support line answered quickly on a Sunday night.",
    ],
}


class SubjectEmbedder:
    """Puts each sentence on its subject's axis (a stand-in for a model that groups by topic)."""

    model_id = "subject-2"

    def __init__(self, subjects: dict[str, list[str]]) -> None:
        self.axis = {s: i for i, group in enumerate(subjects.values()) for s in group}

    def embed(self, texts: Sequence[str], *, kind: str = "passage") -> Matrix:
        x = np.zeros((len(texts), 2), dtype=np.float32)
        for row, text in enumerate(texts):
            x[row, self.axis[text]] = 1.0
            x[row, 1 - self.axis[text]] = 0.01 * row  # ties broken, groups kept apart
        out: Matrix = x / np.linalg.norm(x, axis=1, keepdims=True)
        return out


def _interviews(subjects: dict[str, list[str]]) -> list:  # type: ignore[type-arg]
    """Two interviews, each with half of every subject's sentences, as participants' turns."""
    out = []
    for n in range(2):
        turns = []
        for group in subjects.values():
            turns.append("Interviewer: Kan du fortelle mer?")
            turns.append("P: " + " ".join(group[n * 2 : n * 2 + 2]))
        out.append(transcript_from_text("\n\n".join(turns), name=f"i{n}", transcript_id=f"t{n}"))
    return out


def _runs(sentence: str) -> set[str]:
    ws = words(sentence)
    return {" ".join(ws[i:j]) for i in range(len(ws)) for j in range(i + 2, len(ws) + 1)}


@pytest.mark.parametrize(("language", "subjects"), [("nb", NB), ("en", EN)])
def test_a_theme_label_is_phrases_from_its_own_sentences(language, subjects):
    est = ThemeSuggester(
        n=2, min_words=3, embedder=SubjectEmbedder(subjects), language=language
    ).fit(_interviews(subjects))
    assert len(est.candidates_) == 2
    labels = [c.label for c in est.candidates_]
    assert labels[0] != labels[1]
    for c in est.candidates_:
        subject = next(k for k, group in subjects.items() if c.typical_texts[0] in group)
        phrases = c.label.split("; ")
        assert phrases == c.phrases and 2 <= len(phrases) <= 3
        runs = set().union(*(_runs(s) for s in subjects[subject]))
        assert any(len(p.split()) >= 2 and p in runs for p in phrases), (c.label, subject)
        for p in phrases:
            first, *_, last = p.split() if len(p.split()) > 1 else [p, p]
            assert first not in STOPWORDS and last not in STOPWORDS, p
        # no phrase is contained in another
        assert not any(a != b and a in b for a in phrases for b in phrases)


def test_the_subject_phrase_leads_the_label():
    nb, en = class_tfidf_phrases([NB["leave"], NB["line"]], language="nb")
    assert nb[0] == "sykemelding og skam" and en[0] == "ringe kollegatelefonen"
    leave, line = class_tfidf_phrases([EN["leave"], EN["line"]], language="en")
    assert any("sick leave" in p for p in leave)
    assert any("peer support line" in p for p in line)


def test_phrases_stay_within_a_clause_and_the_study_language():
    clusters = [
        [
            "Søvnen forsvant, natta var lang for meg.",
            "Søvnen forsvant, natta var lang og jeg var redd.",
            "I could not sleep and the night was long.",
        ],
        ["Kollegaen ringte meg tilbake.", "Kollegaen ringte meg samme kveld."],
    ]
    sleep, peers = class_tfidf_phrases(clusters, language="nb")
    assert "søvnen forsvant" in sleep
    assert not any("forsvant natta" in p for p in sleep)  # not across the comma
    assert not any(w in p for p in sleep for w in ("sleep", "night"))  # not the other language
    assert "kollegaen ringte" in peers


def test_a_word_in_no_phrase_still_labels_its_cluster():
    assert class_tfidf_phrases([["Kirurgien."], ["Psykiatrien."]]) == [
        ["kirurgien"],
        ["psykiatrien"],
    ]
