"""Withdrawal: the participant's units, quotes and links go; what cited them is flagged."""

from __future__ import annotations

import pytest

from kollega.research import actions as research_actions
from kollega.workbench import actions
from kollega.workbench.models import (
    AnalysisTranscript,
    AnalyticText,
    Coding,
    Condensate,
    GoldenQuote,
    MeaningUnit,
    Subgroup,
)
from tests.workbench.conftest import Bench, deidentified, new_interview


@pytest.mark.django_db
def test_withdrawal_removes_units_and_quotes_and_flags_citing_texts(bench: Bench) -> None:
    other_interview = new_interview(bench.owner, bench.study, "P02")
    deidentified(other_interview)
    other = actions.do_add_transcript(bench.owner.user, bench.analysis, other_interview)
    group = bench.groups[0]
    start, end = bench.span("Jeg var sliten etter mange vakter.")
    withdrawn = actions.do_create_unit(
        bench.owner.user, bench.version, start=start, end=end, code_group=group
    )
    kept = actions.do_create_unit(bench.owner.user, other, start=start, end=end, code_group=group)
    subgroup = Subgroup.objects.create(code_group=group, name="Tired")
    subgroup.units.set([withdrawn, kept])
    citing = Condensate.objects.create(subgroup=subgroup, text="Jeg var sliten.")
    citing.units.set([withdrawn, kept])
    # One condensate per subgroup, one analytic text per code group: the clean ones elsewhere.
    believed = Subgroup.objects.create(code_group=group, name="Believed")
    believed.units.set([kept])
    clean = Condensate.objects.create(subgroup=believed, text="Jeg ble trodd.")
    clean.units.set([kept])
    quote = GoldenQuote.objects.create(
        subgroup=subgroup, transcript=bench.version, start=start, end=end
    )
    text = AnalyticText.objects.create(analysis=bench.analysis, code_group=group, text="...")
    text.quotes.set([quote])
    clean_text = AnalyticText.objects.create(
        analysis=bench.analysis, code_group=bench.groups[1], text="…"
    )
    clean_text.condensates.set([clean])

    research_actions.do_withdraw_participant(bench.owner.user, bench.participant)

    assert not AnalysisTranscript.objects.filter(pk=bench.version.pk).exists()
    assert list(MeaningUnit.objects.all()) == [kept]
    assert list(Coding.objects.values_list("unit", flat=True)) == [kept.pk]
    assert not GoldenQuote.objects.exists()
    assert list(subgroup.units.all()) == [kept]
    citing.refresh_from_db()
    clean.refresh_from_db()
    assert citing.sources_withdrawn and not clean.sources_withdrawn
    assert list(citing.units.all()) == [kept]
    text.refresh_from_db()
    clean_text.refresh_from_db()
    assert text.sources_withdrawn and not clean_text.sources_withdrawn
    assert not text.quotes.exists()
