"""Step 1 shows each suggested theme's typical sentences, read from the transcripts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kollega.workbench.models import Theme, ThemeState
from tests.workbench.conftest import Bench

SENTENCES = [
    "Jeg var sliten etter mange vakter.",
    "Jeg visste ikke hvem jeg skulle spørre.",
    "En kollega sa at tjenesten var trygg.",
    "Jeg ville ha noen å snakke med.",
]


def _suggested(bench: Bench, spans: list[dict[str, int]]) -> Theme:
    return Theme.objects.create(
        analysis=bench.analysis,
        owner=bench.owner.user,
        label="sliten, vakter",
        state=ThemeState.SUGGESTED,
        model="test-model",
        typical_json=spans,
    )


def _span(bench: Bench, words: str) -> dict[str, int]:
    start, end = bench.span(words)
    return {"transcript": bench.version.pk, "start": start, "end": end}


@pytest.mark.django_db
def test_each_suggested_theme_shows_up_to_three_typical_sentences_with_the_pseudonym(
    bench: Bench,
) -> None:
    theme = _suggested(bench, [_span(bench, s) for s in SENTENCES])
    html = (
        bench.owner.client("en")
        .get(reverse("workbench:impression", args=[bench.analysis.pk]))
        .content.decode()
    )
    listed = html[html.index(f'aria-labelledby="typical-{theme.pk}"') :]
    listed = listed[: listed.index("</ul>")]
    for sentence in SENTENCES[:3]:
        assert f"<q>{sentence}</q> · P01" in listed.replace("&#x27;", "'")
    assert SENTENCES[3] not in listed  # three at most


@pytest.mark.django_db
def test_a_sentence_whose_offsets_no_longer_fit_is_left_out(bench: Bench) -> None:
    length = len(bench.version.text)
    gone = {"transcript": bench.version.pk + 999, "start": 0, "end": 5}
    past = {"transcript": bench.version.pk, "start": length - 2, "end": length + 40}
    theme = _suggested(bench, [gone, past, _span(bench, SENTENCES[0])])
    html = (
        bench.owner.client("en")
        .get(reverse("workbench:impression", args=[bench.analysis.pk]))
        .content.decode()
    )
    listed = html[html.index(f'aria-labelledby="typical-{theme.pk}"') :]
    listed = listed[: listed.index("</ul>")]
    assert listed.count("<li>") == 1 and SENTENCES[0] in listed


@pytest.mark.django_db
def test_a_theme_someone_wrote_shows_no_typical_sentences(bench: Bench) -> None:
    Theme.objects.create(analysis=bench.analysis, owner=bench.owner.user, label="Own")
    html = (
        bench.owner.client("en")
        .get(reverse("workbench:impression", args=[bench.analysis.pk]))
        .content.decode()
    )
    assert "Typical sentences:" not in html
