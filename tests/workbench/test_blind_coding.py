"""Blind double coding: each coder sees only their own units until someone asks to compare;
then agreement per code group and the differences, each settled."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kollega.workbench import actions
from kollega.workbench.models import MeaningUnit
from tests.workbench.conftest import Bench

PASSAGES = [
    "Jeg var sliten etter mange vakter.",
    "Jeg visste ikke hvem jeg skulle spørre.",
    "En kollega sa at tjenesten var trygg.",
    "Jeg ville ha noen å snakke med.",
    "Jeg trengte råd om sykemelding.",
    "Det var viktig at ingen på jobben fikk vite det.",
]


def _code_both(bench: Bench) -> None:
    exhaustion, trust, advice = bench.groups
    owner = [exhaustion, exhaustion, trust, trust, advice, trust]
    colleague = [exhaustion, trust, trust, trust, advice, advice]
    for words, mine, theirs in zip(PASSAGES, owner, colleague, strict=True):
        start, end = bench.span(words)
        actions.do_create_unit(
            bench.owner.user, bench.version, start=start, end=end, code_group=mine
        )
        actions.do_create_unit(
            bench.colleague.user, bench.version, start=start, end=end, code_group=theirs
        )


def _coding_url(bench: Bench) -> str:
    return reverse("workbench:coding", args=[bench.analysis.pk, bench.version.pk])


@pytest.mark.django_db
def test_each_coder_sees_only_their_own_units(bench: Bench) -> None:
    start, end = bench.span(PASSAGES[0])
    actions.do_create_unit(bench.owner.user, bench.version, start=start, end=end)
    mine = bench.owner.client("en").get(_coding_url(bench)).content.decode()
    theirs = bench.colleague.client("en").get(_coding_url(bench)).content.decode()
    assert "My meaning units (1)" in mine
    assert "<mark" in mine
    assert "My meaning units (0)" in theirs
    assert "<mark" not in theirs
    compare = reverse("workbench:compare", args=[bench.analysis.pk, bench.version.pk])
    page = bench.colleague.client("en").get(compare).content.decode()
    assert "Percent agreement" not in page


@pytest.mark.django_db
def test_comparing_needs_two_coders(bench: Bench) -> None:
    start, end = bench.span(PASSAGES[0])
    actions.do_create_unit(bench.owner.user, bench.version, start=start, end=end)
    compare = reverse("workbench:compare", args=[bench.analysis.pk, bench.version.pk])
    # The page says so before the press, and offers no button that would be refused.
    page = bench.owner.client("en").get(compare).content.decode()
    assert "Two coders must have marked units before they can compare." in page
    assert 'type="submit">Compare the coding</button>' not in page
    bench.owner.client("en").post(compare)
    assert not actions.comparing(bench.version)
    # With a second coder's unit, the button is there.
    actions.do_create_unit(bench.colleague.user, bench.version, start=start, end=end)
    page = bench.owner.client("en").get(compare).content.decode()
    assert 'type="submit">Compare the coding</button>' in page
    assert "Two coders must have marked units" not in page


@pytest.mark.django_db
def test_compare_shows_kappa_and_alpha_per_group_and_the_differences(bench: Bench) -> None:
    _code_both(bench)
    compare = reverse("workbench:compare", args=[bench.analysis.pk, bench.version.pk])
    client = bench.colleague.client("en")
    assert client.post(compare).status_code == 302
    report = actions.agreement_for(bench.version)
    assert report["n_items"] == 6
    assert report["percent"] == pytest.approx(4 / 6)
    assert len(report["differences"]) == 2
    assert set(report["per_group"]) == {str(g.pk) for g in bench.groups}
    page = client.get(compare).content.decode()
    assert "2 differences · 2 to settle" in page
    assert page.count("The same passage in different code groups") == 2
    for name in ("Exhaustion", "Trust", "Advice"):
        assert f'<th scope="row">{name}</th>' in page
    assert f"{report['kappa']:.2f}" in page
    assert "Jeg visste ikke hvem jeg skulle spørre." in page


@pytest.mark.django_db
def test_settling_a_difference_keeps_the_choice_and_closing_makes_one_agreed_unit(
    bench: Bench,
) -> None:
    _code_both(bench)
    round_ = actions.do_request_comparison(bench.owner.user, bench.version)
    d = round_.differences.get(position=1)
    settle = reverse("workbench:settle", args=[bench.analysis.pk, bench.version.pk])
    trust = bench.groups[1]
    response = bench.owner.client("en").post(
        settle, {"difference": d.pk, "group": trust.pk, "boundary": "union"}
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert (d.settled_group, d.settled_by, d.boundary) == (trust, bench.owner.user, "union")
    originals = [pk for ids in d.units.values() for pk in ids]
    assert len(originals) == 2
    round_.refresh_from_db()
    assert round_.is_open  # one difference is left to settle
    second = round_.differences.get(position=2)
    bench.owner.client("en").post(
        settle,
        {
            "difference": second.pk,
            "group": bench.groups[2].pk,
            "boundary": str(bench.owner.user.pk),
        },
    )
    round_.refresh_from_db()
    assert not round_.is_open
    live = MeaningUnit.objects.in_analysis().filter(transcript=bench.version)
    # Six passages both coded: six agreed units, the twelve originals kept but retired.
    assert live.count() == 6
    assert MeaningUnit.objects.filter(retired_in=round_).count() == 12
    agreed = live.get(start=d.start)
    assert agreed.coding.code_group == trust
    assert not MeaningUnit.objects.in_analysis().filter(pk__in=originals).exists()


@pytest.mark.django_db
def test_settling_in_a_closed_round_is_refused(bench: Bench) -> None:
    _code_both(bench)
    round_ = actions.do_request_comparison(bench.owner.user, bench.version)
    d = round_.differences.first()
    for each in round_.differences.all():
        actions.do_settle_difference(
            bench.owner.user, each, group=bench.groups[0], boundary="union"
        )
    round_.refresh_from_db()
    assert not round_.is_open
    settle = reverse("workbench:settle", args=[bench.analysis.pk, bench.version.pk])
    response = bench.owner.client("en").post(
        settle, {"difference": d.pk, "group": bench.groups[2].pk, "boundary": "union"}, follow=True
    )
    assert "This round is closed" in response.content.decode()
    d.refresh_from_db()
    assert d.settled_group == bench.groups[0]


@pytest.mark.django_db
def test_full_agreement_in_one_group_shows_an_undefined_alpha_not_an_error(bench: Bench) -> None:
    start, end = bench.span(PASSAGES[0])
    for member in (bench.owner, bench.colleague):
        actions.do_create_unit(
            member.user, bench.version, start=start, end=end, code_group=bench.groups[0]
        )
    actions.do_request_comparison(bench.owner.user, bench.version)
    compare = reverse("workbench:compare", args=[bench.analysis.pk, bench.version.pk])
    response = bench.owner.client("en").get(compare)
    assert response.status_code == 200
    page = response.content.decode()
    assert "0 differences" in page
    assert "No differences: the coders agree on every passage." in page


@pytest.mark.django_db
def test_the_comparisons_kappa_counts_the_whole_transcript_character_by_character(
    bench: Bench,
) -> None:
    """One coder marks a passage the other cuts short; every other character, up to the end
    of the transcript, is agreed "not coded". Checked against Cohen's kappa by hand."""
    group = bench.groups[0]
    start, end = bench.span(PASSAGES[0])
    actions.do_create_unit(bench.owner.user, bench.version, start=start, end=end, code_group=group)
    actions.do_create_unit(
        bench.colleague.user, bench.version, start=start, end=start + 10, code_group=group
    )
    text_length = len(bench.version.text)
    assert text_length > end + 50  # uncoded text after the last unit, which must count
    a = [start <= i < end for i in range(text_length)]
    b = [start <= i < start + 10 for i in range(text_length)]
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / text_length
    pa, pb = sum(a) / text_length, sum(b) / text_length
    expected = pa * pb + (1 - pa) * (1 - pb)
    kappa = (observed - expected) / (1 - expected)
    report = actions.agreement_for(bench.version)
    assert report["per_group"][str(group.pk)]["kappa"] == pytest.approx(kappa)
    assert report["kappa"] == pytest.approx(kappa)
