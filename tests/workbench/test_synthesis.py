"""Step 4: categories, analytic texts, the typology and the recontextualisation check."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from kollega.core.errors import ActionRefused
from kollega.workbench.actions import synthesis
from kollega.workbench.models import AnalyticText, Category
from tests.workbench.conftest import Bench
from tests.workbench.steps34 import condensed, synthesised


def page(bench: Bench) -> str:
    return reverse("workbench:synthesis", args=[bench.analysis.pk])


def operation(bench: Bench, name: str) -> str:
    return reverse(f"workbench:{name}", args=[bench.analysis.pk])


def test_the_check_lists_what_is_missing_with_links_to_fix_it(bench: Bench) -> None:
    subgroups = condensed(bench)
    response = bench.owner.client().get(reverse("workbench:check", args=[bench.analysis.pk]))
    assert response.status_code == 200
    findings = response.context["check"]["findings"]
    assert {f["kind"] for f in findings} == {"no_analytic_text"}
    group = subgroups["Exhaustion"].code_group
    assert f"{page(bench)}#target-code_group-{group.pk}" in {f["url"] for f in findings}
    assert f'href="{page(bench)}#target-code_group-{group.pk}"' in response.content.decode()
    assert (
        f'id="target-code_group-{group.pk}"'
        in bench.owner.client().get(page(bench)).content.decode()
    )


def test_the_check_passes_when_steps_3_and_4_are_done(bench: Bench) -> None:
    synthesised(bench)
    response = bench.owner.client().get(reverse("workbench:check", args=[bench.analysis.pk]))
    assert response.context["check"]["ok"]


def test_a_quote_that_no_longer_matches_its_transcript_is_found(bench: Bench) -> None:
    subgroups = synthesised(bench)
    source = bench.source
    source.set_turns(
        [{**t, "text": t["text"].replace("Jeg var sliten", "Jeg var lei av")} for t in source.turns]
    )
    source.version += 1
    source.save()  # the workbench follows the edit with a new version of the transcript
    found = synthesis.check(bench.analysis)
    kinds = {f["kind"] for f in found["findings"]}
    assert {"quote_mismatch", "unit_mismatch"} <= kinds
    sg = subgroups["Exhaustion"]
    quote_links = [f["url"] for f in found["findings"] if f["kind"] == "quote_mismatch"]
    assert quote_links == [
        reverse("workbench:condensation", args=[bench.analysis.pk, sg.code_group_id])
        + f"#subgroup-{sg.pk}"
    ]


def test_an_analytic_text_cites_condensates_and_quotes(bench: Bench) -> None:
    sg = condensed(bench)["Trust"]
    condensate, quote = sg.condensates.get(), sg.quotes.get()
    response = bench.owner.client().post(
        operation(bench, "analytic_text_save"),
        {
            "target": f"code_group-{sg.code_group_id}",
            "text": "Trust came from a colleague's word.",
            "condensates": [condensate.pk],
            "quotes": [quote.pk],
        },
    )
    assert response.status_code == 302
    text = AnalyticText.objects.get(code_group=sg.code_group)
    assert list(text.condensates.all()) == [condensate] and list(text.quotes.all()) == [quote]


def test_a_stale_analytic_text_is_refused_and_the_text_kept(bench: Bench) -> None:
    synthesised(bench)
    text = AnalyticText.objects.first()
    assert text is not None
    opened = text.version
    synthesis.do_save_analytic_text(
        bench.colleague.user,
        bench.analysis,
        target=text.code_group,
        text="The colleague's reading.",
        condensate_pks=[],
        quote_pks=[],
        analytic_text=text,
        version=opened,
    )
    response = bench.owner.client().post(
        operation(bench, "analytic_text_save"),
        {
            "target": f"code_group-{text.code_group_id}",
            "analytic": text.pk,
            "version": opened,
            "text": "My reading, written slowly.",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "My reading, written slowly." in body and "Someone saved this" in body
    text.refresh_from_db()
    assert text.text == "The colleague's reading."


def test_a_second_new_analytic_text_is_refused_and_the_text_kept(bench: Bench) -> None:
    """Two researchers open a code group without a text; the second save does not add."""
    group = condensed(bench)["Trust"].code_group
    synthesis.do_save_analytic_text(
        bench.colleague.user,
        bench.analysis,
        target=group,
        text="The colleague's reading.",
        condensate_pks=[],
        quote_pks=[],
    )
    response = bench.owner.client().post(
        operation(bench, "analytic_text_save"),
        {"target": f"code_group-{group.pk}", "text": "My reading, written slowly."},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "My reading, written slowly." in body and "Someone saved this" in body
    assert 'name="version" value=""' in body  # saving again is refused until reloaded
    assert [t.text for t in group.analytic_texts.all()] == ["The colleague's reading."]


def test_a_category_holds_one_analytic_text_at_most(bench: Bench) -> None:
    category = Category.objects.create(analysis=bench.analysis, name="Care")
    AnalyticText.objects.create(analysis=bench.analysis, category=category, text="One.")
    with pytest.raises(IntegrityError), transaction.atomic():
        AnalyticText.objects.create(analysis=bench.analysis, category=category, text="Two.")


def test_an_analytic_text_saves_only_under_its_own_target(bench: Bench) -> None:
    synthesised(bench)
    trust, exhaustion = (
        AnalyticText.objects.get(code_group__name=n) for n in ("Trust", "Exhaustion")
    )
    with pytest.raises(ActionRefused):
        synthesis.do_save_analytic_text(
            bench.owner.user,
            bench.analysis,
            target=exhaustion.code_group,
            text="Misfiled.",
            condensate_pks=[],
            quote_pks=[],
            analytic_text=trust,
            version=trust.version,
        )


def test_categories_and_the_typology_are_saved(bench: Bench) -> None:
    subgroups = condensed(bench)
    client = bench.owner.client()
    groups = [sg.code_group_id for sg in subgroups.values()]
    response = client.post(
        operation(bench, "category_add"), {"name": "Reaching out", "groups": groups}
    )
    assert response.status_code == 302
    category = Category.objects.get(name="Reaching out")
    assert sorted(g.pk for g in category.code_groups.all()) == sorted(groups)
    drawn = synthesis.typology_stamp(bench.analysis)
    response = client.post(
        operation(bench, "typology_save"),
        {"cell": [f"{bench.participant.pk}-{category.pk}"], "drawn": drawn},
    )
    assert response.status_code == 302
    assert list(category.participants.all()) == [bench.participant]
    drawn = synthesis.typology_stamp(bench.analysis)
    response = client.post(
        operation(bench, "typology_save"), {"cell": ["999999-1"], "drawn": drawn}
    )
    assert response.status_code == 400
    assert list(category.participants.all()) == [bench.participant]


def test_a_typology_saved_from_a_stale_page_is_refused_with_its_ticks_kept(
    bench: Bench,
) -> None:
    """Two researchers tick the typology from the same page: the second save is refused and
    shows the ticks it posted, and the first one's table stays."""
    subgroups = condensed(bench)
    client = bench.owner.client()
    groups = [sg.code_group_id for sg in subgroups.values()]
    client.post(operation(bench, "category_add"), {"name": "Reaching out", "groups": groups})
    category = Category.objects.get(name="Reaching out")
    cell = f"{bench.participant.pk}-{category.pk}"
    drawn = synthesis.typology_stamp(bench.analysis)
    # The first tab ticks the participant in; the second, drawn at the same time, leaves it out.
    first = client.post(operation(bench, "typology_save"), {"cell": [cell], "drawn": drawn})
    assert first.status_code == 302
    second = client.post(operation(bench, "typology_save"), {"cell": [], "drawn": drawn})
    assert second.status_code == 400
    page = second.content.decode()
    assert "Someone saved this after you opened it." in page
    box = page.index(f'value="{cell}"')
    assert " checked" not in page[box : page.index(">", box)]
    assert list(category.participants.all()) == [bench.participant]
    # A post without the page's stamp is refused the same way, and a stamp of a table with
    # another column (a category added since) too.
    assert client.post(operation(bench, "typology_save"), {"cell": []}).status_code == 400
    drawn = synthesis.typology_stamp(bench.analysis)
    client.post(operation(bench, "category_add"), {"name": "Coming back", "groups": groups})
    late = client.post(operation(bench, "typology_save"), {"cell": [], "drawn": drawn})
    assert late.status_code == 400
    assert list(category.participants.all()) == [bench.participant]


def test_a_category_needs_a_name(bench: Bench) -> None:
    response = bench.owner.client().post(operation(bench, "category_add"), {"name": " "})
    assert response.status_code == 400 and not Category.objects.exists()


def test_a_withdrawal_flags_what_cited_the_participant_until_it_is_saved_again(
    bench: Bench,
) -> None:
    from kollega.research import actions as research
    from kollega.workbench.actions import condensation
    from kollega.workbench.models import Condensate, GoldenQuote, MeaningUnit

    subgroups = synthesised(bench)
    research.do_withdraw_participant(bench.owner.user, bench.participant)
    assert not MeaningUnit.objects.exists() and not GoldenQuote.objects.exists()
    assert not Category.objects.get().participants.exists()
    found = synthesis.check(bench.analysis)
    flagged = [f for f in found["findings"] if f["kind"] == "sources_withdrawn"]
    sg = subgroups["Exhaustion"]
    assert f"#subgroup-{sg.pk}" in " ".join(f["url"] for f in flagged)
    assert any("#text-" in f["url"] for f in flagged)
    condensate = Condensate.objects.get(subgroup=sg)
    assert condensate.sources_withdrawn
    response = bench.owner.client().get(
        reverse("workbench:condensation", args=[bench.analysis.pk, sg.code_group_id])
    )
    assert "withdrawal removed units" in response.content.decode()
    with pytest.raises(ActionRefused):  # nothing left to rest on: delete it instead
        condensation.do_save_condensate(
            bench.owner.user,
            sg,
            text="Read again.",
            unit_pks=[],
            condensate=condensate,
            version=condensate.version,
        )
    response = bench.owner.client().post(
        reverse("workbench:condensate_delete", args=[bench.analysis.pk, sg.code_group_id]),
        {"subgroup": sg.pk, "condensate": condensate.pk},
    )
    assert response.status_code == 302 and not Condensate.objects.filter(subgroup=sg).exists()


def test_analytic_texts_are_encrypted_at_rest(bench: Bench) -> None:
    from django.db import connection

    synthesised(bench)
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM workbench_analytictext")
        stored = " ".join(row[0] for row in cursor.fetchall())
    assert stored and "meant to them" not in stored


def test_a_stale_category_rename_is_refused_and_the_name_kept(bench: Bench) -> None:
    synthesised(bench)
    category = Category.objects.get()
    opened = category.version
    synthesis.do_edit_category(
        bench.colleague.user,
        category,
        name="Their name",
        description="",
        group_pks=[],
        version=opened,
    )
    response = bench.owner.client().post(
        operation(bench, "category_edit"),
        {
            "category": category.pk,
            "version": opened,
            "name": "My better name",
            "description": "Why it holds together",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="My better name"' in body and "Why it holds together" in body
    category.refresh_from_db()
    assert category.name == "Their name"
