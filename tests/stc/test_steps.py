from __future__ import annotations

import pytest

from kollega.stc.demo import load_demo_project
from kollega.stc.steps import (
    CodeSuggester,
    Condenser,
    Segmenter,
    ThemeSuggester,
    draft_condensate,
    rank_golden_quotes,
    recontextualise,
    segment,
    suggest_codes,
    suggest_subgroups,
    suggest_themes,
)
from kollega.stc.types import MeaningUnit, Span


def test_segment_skips_the_interviewer_and_keeps_offsets(tiny):
    units = segment([tiny], min_words=5, max_words=40)
    assert units, "participant turns give units"
    for u in units:
        assert tiny.excerpt(u.span) == u.text
        assert "How did it start" not in u.text and "who did you talk to" not in u.text
        assert u.code_group_id is None and u.assistance_id is not None


def test_segment_splits_long_turns_at_max_words(tiny):
    # threshold 10 standard deviations: no topic shifts, only the length limit splits
    short = Segmenter(min_words=1, max_words=12, threshold=10).transform([tiny])
    long = Segmenter(min_words=1, max_words=500, threshold=10).transform([tiny])
    assert len(short) > len(long) == 2
    assert all(len(u.text.split()) <= 24 for u in short)


def test_segment_splits_at_a_topic_shift(hashing):
    from kollega.stc.io.transcripts import transcript_from_text

    text = (
        "P: The night shifts were long. The night shifts left me tired. Tired after night shifts, always. "
        "My manager shouted at me in the meeting. The manager shouted again at the next meeting. "
        "Meeting the manager made me afraid."
    )
    t = transcript_from_text(text, name="x")
    units = Segmenter(min_words=5, max_words=200, threshold=0.5).transform([t])
    assert [u.text.split(".")[0] for u in units] == [
        "The night shifts were long",
        "My manager shouted at me in the meeting",
    ]


def _coded() -> list[MeaningUnit]:
    texts = {
        "sleep": [
            "I could not sleep at night",
            "awake at three every night, no sleep",
            "sleep was broken for weeks",
        ],
        "fear": [
            "afraid the record would follow me",
            "fear that my employer would find out",
            "afraid someone at work would know",
        ],
    }
    out = []
    for g, ts in texts.items():
        for i, t in enumerate(ts):
            span = Span("t", 100 * len(out), 100 * len(out) + len(t))
            out.append(MeaningUnit(id=f"{g}{i}", span=span, text=t, code_group_id=g, coder="anne"))
    return out


def test_suggest_codes_ranks_the_right_group_and_abstains_when_unsure(hashing):
    new = [
        MeaningUnit(id="n1", span=Span("t", 0, 0), text="no sleep at night for weeks", coder=""),
        MeaningUnit(id="n2", span=Span("t", 0, 0), text="xylophone quartz", coder=""),
    ]
    s1, s2 = suggest_codes(new, _coded(), embedder=hashing, threshold=0.9)
    assert s1.ranking[0][0] == "sleep" and s1.code_group_id == "sleep"
    assert s1.confidence > s1.ranking[1][1]
    assert s2.code_group_id is None  # nothing in common with any group: abstain


def test_suggest_codes_needs_examples(hashing):
    with pytest.raises(ValueError, match="coded example"):
        CodeSuggester(embedder=hashing).fit([])


def test_subgroups_condensate_and_quotes_for_a_code_group(hashing):
    units = _coded()
    groups = suggest_subgroups(units, code_group_id="g", embedder=hashing)
    assert 2 <= len(groups) <= 3
    assert sorted(i for g in groups for i in g.meaning_unit_ids) == sorted(u.id for u in units)
    c = draft_condensate(units[:3], subgroup_id="s", max_sentences=2, embedder=hashing)
    assert c.extractive and c.meaning_unit_ids == ["sleep0", "sleep1", "sleep2"]
    assert sum(u.text in c.text for u in units[:3]) == 2  # two whole sentences, extracted
    quotes = rank_golden_quotes(units, top=3, embedder=hashing)
    assert len(quotes) == 3 and quotes[0].score >= quotes[-1].score


def test_golden_quotes_point_into_the_transcript():
    p = load_demo_project(second_coder=False)
    units = p.units_in(p.code_groups[0].id)
    from kollega.stc.assist import HashingEmbedder

    for q in rank_golden_quotes(units, embedder=HashingEmbedder()):
        assert p.transcript(q.span.transcript_id).excerpt(q.span) == q.text


def test_configs_serialise_and_rebuild(hashing):
    c = Condenser(n_subgroups=(2, 4), embedder=hashing)
    cfg = c.get_config()
    assert cfg["embedder"] == "hashing-256" and cfg["n_subgroups"] == [2, 4]
    again = Condenser.from_config(cfg, embedder=hashing)
    assert again.get_config() == cfg
    s = Segmenter(min_words=7)
    assert Segmenter.from_config(s.get_config()).min_words == 7


def test_theme_suggestions_carry_typical_sentences(tiny, hashing):
    est = ThemeSuggester(n=2, min_words=3, embedder=hashing).fit([tiny])
    assert len(est.candidates_) == 2
    for c in est.candidates_:
        for span, text in zip(c.typical, c.typical_texts, strict=True):
            assert tiny.excerpt(span) == text
            assert "How did it start" not in text
    assert est.assistance_.status == "pending" and est.assistance_.model == "hashing-256"
    assert suggest_themes([tiny], n=2, embedder=hashing)[0].label


def test_recontextualise_finds_drift_and_gaps():
    p = load_demo_project()
    assert recontextualise(p).ok
    t = p.transcripts[0]
    q = next(q for q in p.golden_quotes if q.span.transcript_id == t.id)
    t.text = t.text[: q.span.start] + "X" + t.text[q.span.start + 1 :]
    p.analytic_texts.pop()
    p.condensates = [c for c in p.condensates if not c.subgroup_id.startswith("")]
    r = recontextualise(p)
    kinds = {x.kind for x in r.problems}
    assert {"quote_mismatch", "unit_mismatch", "no_analytic_text", "no_condensate"} <= kinds
    assert any(x.record_id == q.id for x in r.of_kind("quote_mismatch"))
    assert len(r.uncovered_turns) > 0


def test_theme_labels_are_content_words_in_the_study_language():
    from kollega.stc.text import class_tfidf_labels

    clusters = [
        [
            "I could not sleep at night and the tiredness stayed all day.",
            "The sleep never came back after the night shifts.",
            "Jeg fikk ikke sove om natta, og søvnen kom aldri tilbake.",
        ],
        [
            "My colleague listened to me when I called her.",
            "A colleague from another county called me back and listened.",
            "Faktisk var den første kollegaen som ringte meg tilbake den beste.",
        ],
    ]
    sleep, peers = class_tfidf_labels(clusters, top=3, language="en")
    assert "sleep" in sleep and "night" in sleep
    assert "listened" in peers or "colleague" in peers
    for label in (sleep, peers):
        assert not {"the", "and", "could", "første", "faktisk", "jeg"} & set(label)
        assert not {"søvnen", "natta", "kollegaen"} & set(label)  # not the other language
    nb_sleep, _ = class_tfidf_labels(clusters, top=3, language="nb")
    assert {"sove", "natta"} <= set(nb_sleep)
