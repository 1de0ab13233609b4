"""Step 3: subgroups (suggested or by hand), condensates with drafts, golden quotes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from kollega.core.models import AuditEvent
from kollega.workbench.actions import condensation
from kollega.workbench.models import CodeGroup, Condensate, GoldenQuote, Subgroup
from tests.workbench.conftest import Bench
from tests.workbench.steps34 import coded, condensed


def page(bench: Bench, group: CodeGroup) -> str:
    return reverse("workbench:condensation", args=[bench.analysis.pk, group.pk])


def operation(bench: Bench, group: CodeGroup, name: str) -> str:
    return reverse(f"workbench:{name}", args=[bench.analysis.pk, group.pk])


def exhaustion(bench: Bench) -> CodeGroup:
    return CodeGroup.objects.get(analysis=bench.analysis, name="Exhaustion")


def test_the_page_shows_the_groups_units_and_is_audited(bench: Bench) -> None:
    coded(bench)
    group = exhaustion(bench)
    response = bench.owner.client().get(page(bench, group))
    assert response.status_code == 200
    assert "Jeg var sliten etter mange vakter." in response.content.decode()
    assert AuditEvent.objects.filter(
        action="workbench.condensation.view", object_id=str(group.pk)
    ).exists()


def test_suggested_subgroups_are_stored_only_when_accepted(bench: Bench) -> None:
    coded(bench)
    group = exhaustion(bench)
    client = bench.owner.client()
    response = client.post(operation(bench, group, "condensation_suggest"), {})
    assert response.status_code == 200
    assert not Subgroup.objects.exists()
    token = response.context["proposal"]["token"]
    response = client.post(operation(bench, group, "subgroups_accept"), {"token": token})
    assert response.status_code == 302
    made = list(Subgroup.objects.filter(code_group=group))
    assert made and all(s.model.startswith("hashing") for s in made)
    assert sorted(u.pk for s in made for u in s.units.all()) == sorted(
        u.pk for u in coded_units(group)
    )


def coded_units(group: CodeGroup) -> list[Any]:
    return condensation.group_units(group)


def test_a_forged_suggestion_is_refused_and_nothing_stored(bench: Bench) -> None:
    coded(bench)
    response = bench.owner.client().post(
        operation(bench, exhaustion(bench), "subgroups_accept"), {"token": "made-up"}
    )
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert not Subgroup.objects.exists()


def test_a_subgroup_by_hand_takes_only_this_groups_units(bench: Bench) -> None:
    units = coded(bench)
    client = bench.owner.client()
    group = exhaustion(bench)
    foreign = units["Trust"][0]
    response = client.post(
        operation(bench, group, "subgroup_add"), {"name": "Nights", "units": [foreign.pk]}
    )
    assert response.status_code == 400
    assert not Subgroup.objects.exists()
    response = client.post(
        operation(bench, group, "subgroup_add"),
        {"name": "Nights", "units": [u.pk for u in units["Exhaustion"]]},
    )
    assert response.status_code == 302
    assert Subgroup.objects.get(name="Nights").units.count() == 2


def test_an_extractive_draft_fills_the_editor_and_saving_records_the_model(bench: Bench) -> None:
    units = coded(bench)
    group = exhaustion(bench)
    sg = condensation.do_add_subgroup(
        bench.owner.user, group, name="Nights", unit_pks=[u.pk for u in units["Exhaustion"]]
    )
    client = bench.owner.client()
    response = client.post(operation(bench, group, "condensate_draft"), {"subgroup": sg.pk})
    assert response.status_code == 200
    draft = response.context["sections"][0]["draft"]
    assert draft["extractive"] and "vakter" in draft["text"]
    assert f'value="{draft["token"]}"' in response.content.decode()
    assert not Condensate.objects.exists()
    response = client.post(
        operation(bench, group, "condensate_save"),
        {
            "subgroup": sg.pk,
            "text": "I was worn out by the nights.",
            "units": [u.pk for u in units["Exhaustion"]],
            "draft_token": draft["token"],
        },
    )
    assert response.status_code == 302
    saved = Condensate.objects.get(subgroup=sg)
    assert saved.extractive and saved.model.startswith("hashing")
    assert saved.author == bench.owner.user


def test_first_person_drafts_are_off_unless_the_organisation_configures_a_model(
    bench: Bench,
) -> None:
    units = coded(bench)
    group = exhaustion(bench)
    sg = condensation.do_add_subgroup(
        bench.owner.user, group, name="Nights", unit_pks=[u.pk for u in units["Exhaustion"]]
    )
    client = bench.owner.client()
    first_person = operation(bench, group, "condensate_draft_first_person")
    assert first_person not in client.get(page(bench, group)).content.decode()
    response = client.post(
        operation(bench, group, "condensate_draft_first_person"), {"subgroup": sg.pk}
    )
    assert response.status_code == 400
    assert "No language model" in response.content.decode()


def test_a_first_person_draft_comes_from_the_configured_endpoint(
    bench: Bench, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kollega.stc.llm import ChatClient

    settings.KOLLEGA_LLM_URL = "http://127.0.0.1:9/v1"
    settings.KOLLEGA_LLM_MODEL = "local-model"
    sent: list[list[str]] = []

    def rewrite(self: ChatClient, excerpts: list[str]) -> str:
        sent.append(excerpts)
        return "Jeg var sliten etter vaktene."

    monkeypatch.setattr(ChatClient, "rewrite_first_person", rewrite)
    units = coded(bench)
    group = exhaustion(bench)
    sg = condensation.do_add_subgroup(
        bench.owner.user, group, name="Nights", unit_pks=[u.pk for u in units["Exhaustion"]]
    )
    response = bench.owner.client().post(
        operation(bench, group, "condensate_draft_first_person"), {"subgroup": sg.pk}
    )
    assert response.status_code == 200
    draft = response.context["sections"][0]["draft"]
    assert draft["text"] == "Jeg var sliten etter vaktene." and not draft["extractive"]
    assert "local-model" in draft["model"] and sent


def test_a_stale_condensate_save_is_refused_and_the_text_kept(bench: Bench) -> None:
    subgroups = condensed(bench)
    sg = subgroups["Exhaustion"]
    condensate = sg.condensates.get()
    opened = condensate.version
    condensation.do_save_condensate(
        bench.colleague.user,
        sg,
        text="A colleague's words.",
        unit_pks=[u.pk for u in sg.units.all()],
        condensate=condensate,
        version=opened,
    )
    response = bench.owner.client().post(
        operation(bench, sg.code_group, "condensate_save"),
        {
            "subgroup": sg.pk,
            "condensate": condensate.pk,
            "version": opened,
            "text": "My own careful words.",
            "units": [u.pk for u in sg.units.all()],
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "My own careful words." in body and "Someone saved this" in body
    condensate.refresh_from_db()
    assert condensate.text == "A colleague's words."


def test_a_second_new_condensate_is_refused_and_the_text_kept(bench: Bench) -> None:
    """Two researchers open a subgroup without a condensate; the second save does not add."""
    coded(bench)
    group = exhaustion(bench)
    units = [u.pk for u in coded_units(group)]
    sg = condensation.do_add_subgroup(bench.owner.user, group, name="Nights", unit_pks=units)
    condensation.do_save_condensate(
        bench.colleague.user, sg, text="A colleague's words.", unit_pks=units
    )
    response = bench.owner.client().post(
        operation(bench, group, "condensate_save"),
        {"subgroup": sg.pk, "text": "My own careful words.", "units": units},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "My own careful words." in body and "Someone saved this" in body
    assert [c.text for c in sg.condensates.all()] == ["A colleague's words."]


def test_a_subgroup_holds_one_condensate_at_most(bench: Bench) -> None:
    sg = condensed(bench)["Exhaustion"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Condensate.objects.create(subgroup=sg, text="A racing second one.")


def test_condensates_are_encrypted_at_rest(bench: Bench) -> None:
    condensed(bench)
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM workbench_condensate")
        stored = " ".join(row[0] for row in cursor.fetchall())
    assert "I felt" not in stored and stored


def test_quote_candidates_are_ranked_and_one_is_chosen(bench: Bench) -> None:
    units = coded(bench)
    group = exhaustion(bench)
    sg = condensation.do_add_subgroup(
        bench.owner.user, group, name="Nights", unit_pks=[u.pk for u in units["Exhaustion"]]
    )
    client = bench.owner.client()
    response = client.post(operation(bench, group, "quotes_rank"), {"subgroup": sg.pk})
    candidates = response.context["sections"][0]["candidates"]
    assert candidates and [c["score"] for c in candidates] == sorted(
        (c["score"] for c in candidates), reverse=True
    )
    response = client.post(
        operation(bench, group, "quote_choose"),
        {"subgroup": sg.pk, "token": candidates[0]["token"]},
    )
    assert response.status_code == 302
    quote = GoldenQuote.objects.get(subgroup=sg)
    assert quote.text == candidates[0]["text"] and quote.model.startswith("hashing")


def test_a_quote_by_hand_must_be_words_of_the_unit(bench: Bench) -> None:
    units = coded(bench)
    group = exhaustion(bench)
    unit = units["Exhaustion"][0]
    sg = condensation.do_add_subgroup(bench.owner.user, group, name="Nights", unit_pks=[unit.pk])
    client = bench.owner.client()
    response = client.post(
        operation(bench, group, "quote_choose"),
        {"subgroup": sg.pk, "unit": unit.pk, "words": "not in it"},
    )
    assert response.status_code == 400 and not GoldenQuote.objects.exists()
    response = client.post(
        operation(bench, group, "quote_choose"),
        {"subgroup": sg.pk, "unit": unit.pk, "words": "mange  vakter"},
    )
    assert response.status_code == 302
    assert GoldenQuote.objects.get().text == "mange vakter"


def test_deleting_a_subgroup_keeps_the_units_coded(bench: Bench) -> None:
    sg = condensed(bench)["Exhaustion"]
    response = bench.owner.client().post(
        operation(bench, sg.code_group, "subgroup_delete"), {"subgroup": sg.pk}
    )
    assert response.status_code == 302
    assert not Subgroup.objects.filter(pk=sg.pk).exists()
    assert len(condensation.group_units(sg.code_group)) == 2
