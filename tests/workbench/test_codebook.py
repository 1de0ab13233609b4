"""The code book: move, merge, delete, reorder, colour, and undo — through the pages a
researcher uses, plus a model-based sequence test of the tree."""

from __future__ import annotations

import random

import pytest
from django.test import Client
from django.urls import reverse

from kollega.core.errors import ActionRefused
from kollega.workbench import actions
from kollega.workbench.actions import codebook, synthesis
from kollega.workbench.models import (
    AlsoCoded,
    AnalyticText,
    Category,
    CodeGroup,
    Coding,
    MeaningUnit,
    Subgroup,
    SuggestionDecision,
    UndoStep,
)
from tests.cast import Cast
from tests.workbench.conftest import Bench
from tests.workbench.steps34 import coded, condensed

pytestmark = pytest.mark.django_db


def _group(bench: Bench, name: str) -> CodeGroup:
    return CodeGroup.objects.get(analysis=bench.analysis, name=name)


def _post(client: Client, name: str, bench: Bench, group: CodeGroup, **data: object) -> str:
    url = reverse(f"workbench:{name}", args=[bench.analysis.pk, group.pk])
    response = client.post(url, {"version": group.version, **data}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def _undo(client: Client, bench: Bench) -> str:
    url = reverse("workbench:undo", args=[bench.analysis.pk])
    return client.post(url, follow=True).content.decode()


def test_the_code_book_lists_the_tree_with_counts_colours_and_changes(bench: Bench) -> None:
    coded(bench)
    trust = _group(bench, "Trust")
    actions.do_move_group(bench.owner.user, trust, parent=bench.groups[0], version=trust.version)
    page = (
        bench.owner.client("en")
        .get(reverse("workbench:codebook", args=[bench.analysis.pk]))
        .content.decode()
    )
    tree = page.split('<ol class="codebook"')[1]
    assert tree.index("Exhaustion") < tree.index("Trust") < tree.index("Advice")
    assert "group--depth-1" in page and "my units: 2" in page
    assert 'data-colour="1"' in page and "blue" in page
    assert "Undo: moving the code group Trust" in page


@pytest.mark.parametrize(
    ("language", "change", "not_this"),
    [("en", "Change", None), ("nb", "Endre", "Bytt"), ("zh-hans", "更改", "切换")],
)
def test_each_groups_change_link_says_change_in_every_language(
    bench: Bench, language: str, change: str, not_this: str | None
) -> None:
    """The link to a group's page reads "change", as its label and the page's help text say,
    not the language switcher's "switch" (axe: the label must hold the visible text)."""
    page = (
        bench.owner.client(language)
        .get(reverse("workbench:codebook", args=[bench.analysis.pk]))
        .content.decode()
    )
    group = bench.groups[0]
    link = page.split(
        f'href="{reverse("workbench:group_edit", args=[bench.analysis.pk, group.pk])}"'
    )[1]
    label, text = link.split('aria-label="')[1].split('">', 1)
    text = text.split("</a>")[0]
    assert text == change and change in label and group.name in label
    if not_this:
        assert not_this not in text


def test_a_groups_name_is_labelled_as_a_things_name_in_chinese(bench: Bench) -> None:
    """Not "姓名", a person's full name, which another part of the site asks for."""
    client = bench.owner.client("zh-hans")
    for url in (
        reverse("workbench:group_edit", args=[bench.analysis.pk, bench.groups[0].pk]),
        reverse("workbench:coding", args=[bench.analysis.pk, bench.version.pk]),
    ):
        page = client.get(url).content.decode()
        assert '<label class="ds-label" for="group-name">名称</label>' in page, url
        assert "姓名" not in page, url


def test_new_groups_get_different_colours_and_a_colour_can_be_chosen(bench: Bench) -> None:
    assert [g.colour for g in bench.groups] == [1, 2, 3]
    client = bench.owner.client("en")
    page = _post(client, "group_colour", bench, bench.groups[0], colour=5)
    assert "The colour of Exhaustion is saved." in page
    assert _group(bench, "Exhaustion").colour == 5
    page = _post(client, "group_colour", bench, _group(bench, "Exhaustion"), colour=99)
    assert "Choose one of the colours offered." in page
    assert _group(bench, "Exhaustion").colour == 5


def test_the_coding_page_shows_colours_in_highlights_and_named_stripes(bench: Bench) -> None:
    coded(bench)
    page = (
        bench.owner.client("en")
        .get(reverse("workbench:coding", args=[bench.analysis.pk, bench.version.pk]))
        .content.decode()
    )
    # The second turn holds units of Exhaustion (colour 1) and Trust (colour 2).
    assert '<mark data-units="' in page and 'data-colour="1" title="1"' in page
    assert 'class="stripes" aria-label="Code groups in this turn"' in page
    assert '<li class="stripe" data-colour="2" title="Trust">' in page
    assert '<span class="visually-hidden">Trust</span>' in page
    assert "style=" not in page.split('<div id="workspace"')[1].split("</main>")[0]


def test_a_group_cannot_go_inside_itself_or_its_own_subgroups(bench: Bench) -> None:
    client = bench.owner.client("en")
    top, child = bench.groups[0], bench.groups[1]
    actions.do_move_group(bench.owner.user, child, parent=top, version=child.version)
    top.refresh_from_db()
    page = _post(client, "group_move", bench, top, parent=child.pk)
    assert "Trust is inside Exhaustion: a group cannot go inside its own subgroups." in page
    page = _post(client, "group_move", bench, top, parent=top.pk)
    assert "A code group cannot go inside itself." in page
    assert _group(bench, "Exhaustion").parent_id is None
    # Moving it back to the top level works, and undo puts it back inside.
    page = _post(client, "group_move", bench, _group(bench, "Trust"), parent="")
    assert "Trust is moved." in page and _group(bench, "Trust").parent_id is None
    assert "Undone: moving the code group Trust." in _undo(client, bench)
    assert _group(bench, "Trust").parent_id == top.pk


def test_up_and_down_reorder_groups_at_one_level(bench: Bench) -> None:
    client = bench.owner.client("en")
    _post(client, "group_reorder", bench, bench.groups[2], direction="up")
    names = list(bench.analysis.code_groups.values_list("name", flat=True))
    assert names == ["Exhaustion", "Advice", "Trust"]
    page = _post(client, "group_reorder", bench, _group(bench, "Exhaustion"), direction="up")
    assert "The code group is already first." in page


def test_merging_moves_units_subgroups_decisions_and_text_and_undo_puts_them_back(
    bench: Bench,
) -> None:
    subgroups = condensed(bench)
    trust, exhaustion = _group(bench, "Trust"), _group(bench, "Exhaustion")
    units = list(Coding.objects.filter(code_group=trust).values_list("unit_id", flat=True))
    unit = MeaningUnit.objects.get(pk=units[0])
    SuggestionDecision.objects.create(
        unit=unit, code_group=trust, accepted=False, rank=1, confidence=0.5, model="m"
    )
    text = synthesis.do_save_analytic_text(
        bench.owner.user,
        bench.analysis,
        target=trust,
        text="Trust came from colleagues.",
        condensate_pks=[],
        quote_pks=[],
    )
    category = synthesis.do_add_category(
        bench.owner.user, bench.analysis, name="Help", group_pks=[trust.pk]
    )
    child = actions.do_add_code_group(bench.owner.user, bench.analysis, name="Kin", parent=trust)
    trust.refresh_from_db()
    client = bench.owner.client("en")
    # First the confirmation: nothing changes yet.
    page = _post(client, "group_merge", bench, trust, into=exhaustion.pk)
    assert "Merge Trust into Exhaustion?" in page and "2 units move into Exhaustion." in page
    assert CodeGroup.objects.filter(pk=trust.pk).exists()
    page = _post(client, "group_merge", bench, trust, into=exhaustion.pk, confirm="1")
    assert "Trust is merged into Exhaustion." in page
    assert not CodeGroup.objects.filter(pk=trust.pk).exists()
    assert set(
        Coding.objects.filter(unit_id__in=units).values_list("code_group_id", flat=True)
    ) == {exhaustion.pk}
    assert Subgroup.objects.get(pk=subgroups["Trust"].pk).code_group_id == exhaustion.pk
    assert AnalyticText.objects.get(pk=text.pk).text == "Trust came from colleagues."
    assert AnalyticText.objects.get(pk=text.pk).code_group_id == exhaustion.pk
    assert SuggestionDecision.objects.get(unit=unit).code_group_id == exhaustion.pk
    assert CodeGroup.objects.get(pk=child.pk).parent_id == exhaustion.pk
    assert list(category.code_groups.all()) == [exhaustion]
    assert "Undo: merging Trust into Exhaustion" in page
    # Undo: everything is back where it was.
    assert "Undone: merging Trust into Exhaustion." in _undo(client, bench)
    back = _group(bench, "Trust")
    assert back.pk == trust.pk and back.description == "About Trust"
    assert set(
        Coding.objects.filter(unit_id__in=units).values_list("code_group_id", flat=True)
    ) == {trust.pk}
    assert Subgroup.objects.get(pk=subgroups["Trust"].pk).code_group_id == trust.pk
    assert AnalyticText.objects.get(pk=text.pk).code_group_id == trust.pk
    assert SuggestionDecision.objects.get(unit=unit).code_group_id == trust.pk
    assert CodeGroup.objects.get(pk=child.pk).parent_id == trust.pk
    assert list(category.code_groups.all()) == [back]
    assert not UndoStep.objects.exists()


def test_a_merge_of_two_groups_with_analytic_texts_is_refused(bench: Bench) -> None:
    coded(bench)
    for group in bench.groups[:2]:
        synthesis.do_save_analytic_text(
            bench.owner.user,
            bench.analysis,
            target=group,
            text=f"On {group.name}.",
            condensate_pks=[],
            quote_pks=[],
        )
    trust = _group(bench, "Trust")
    page = _post(
        bench.owner.client("en"),
        "group_merge",
        bench,
        trust,
        into=bench.groups[0].pk,
        confirm="1",
    )
    assert "Both code groups have an analytic text" in page
    assert AnalyticText.objects.count() == 2 and CodeGroup.objects.filter(pk=trust.pk).exists()


def test_deleting_returns_units_to_sort_moves_children_up_and_can_be_undone(
    bench: Bench,
) -> None:
    units = coded(bench)
    trust = _group(bench, "Trust")
    child = actions.do_add_code_group(bench.owner.user, bench.analysis, name="Kin", parent=trust)
    trust.refresh_from_db()
    client = bench.owner.client("en")
    page = _post(client, "group_delete", bench, trust)
    assert "Delete Trust?" in page and "2 units go back to “to sort”." in page
    page = _post(client, "group_delete", bench, trust, confirm="1")
    assert "Trust is deleted; its units are back in “to sort”." in page
    assert not Coding.objects.filter(unit__in=units["Trust"]).exists()
    assert MeaningUnit.objects.filter(pk__in=[u.pk for u in units["Trust"]]).count() == 2
    assert CodeGroup.objects.get(pk=child.pk).parent_id is None
    assert "Undone: deleting the code group Trust." in _undo(client, bench)
    assert set(
        Coding.objects.filter(unit__in=units["Trust"]).values_list("code_group_id", flat=True)
    ) == {trust.pk}
    assert CodeGroup.objects.get(pk=child.pk).parent_id == trust.pk


def test_a_group_with_step_3_work_cannot_be_deleted(bench: Bench) -> None:
    condensed(bench)
    trust = _group(bench, "Trust")
    page = _post(bench.owner.client("en"), "group_delete", bench, trust, confirm="1")
    assert "Trust has step-3 subgroups or an analytic text" in page
    assert CodeGroup.objects.filter(pk=trust.pk).exists()


def test_a_stale_second_save_from_another_tab_is_refused(bench: Bench) -> None:
    coded(bench)
    trust = _group(bench, "Trust")
    opened = trust.version
    first, second = bench.owner.client("en"), bench.colleague.client("en")
    _post(first, "group_move", bench, trust, parent=bench.groups[2].pk)
    for name, data in [
        ("group_move", {"parent": ""}),
        ("group_merge", {"into": bench.groups[0].pk, "confirm": "1"}),
        ("group_delete", {"confirm": "1"}),
        ("group_colour", {"colour": 4}),
        ("group_reorder", {"direction": "up"}),
    ]:
        url = reverse(f"workbench:{name}", args=[bench.analysis.pk, trust.pk])
        page = second.post(url, {"version": opened, **data}, follow=True).content.decode()
        assert "Someone changed this code group after you opened the page" in page, name
    now = _group(bench, "Trust")
    assert now.parent_id == bench.groups[2].pk and now.colour == 2
    assert Coding.objects.filter(code_group=now).count() == 2


def test_undo_of_sorting_and_deleting_units(bench: Bench) -> None:
    units = coded(bench)
    client = bench.owner.client("en")
    unit = units["Trust"][0]
    client.post(
        reverse("workbench:unit_code", args=[bench.analysis.pk]),
        {"unit": unit.pk, "group": bench.groups[2].pk},
    )
    assert Coding.objects.get(unit=unit).code_group_id == bench.groups[2].pk
    assert "Undone: sorting a unit into Advice." in _undo(client, bench)
    assert Coding.objects.get(unit=unit).code_group.name == "Trust"
    client.post(reverse("workbench:unit_delete", args=[bench.analysis.pk, unit.pk]))
    assert not MeaningUnit.objects.filter(pk=unit.pk).exists()
    # The coding page offers the undo, and answers there.
    coding_url = reverse("workbench:coding", args=[bench.analysis.pk, bench.version.pk])
    assert "Undo: deleting a unit" in client.get(coding_url).content.decode()
    response = client.post(
        reverse("workbench:undo", args=[bench.analysis.pk]), {"t": bench.version.pk}
    )
    assert response["Location"] == coding_url
    back = MeaningUnit.objects.get(pk=unit.pk)
    assert (back.start, back.end) == (unit.start, unit.end)
    assert Coding.objects.get(unit=back).code_group.name == "Trust"
    assert "There is nothing to undo." in _undo(client, bench)


def test_undo_is_refused_when_someone_changed_things_since(bench: Bench) -> None:
    start, end = bench.span("Jeg ville ha noen å snakke med.")
    theirs = actions.do_create_unit(
        bench.colleague.user, bench.version, start=start, end=end, code_group=bench.groups[1]
    )
    trust = _group(bench, "Trust")
    actions.do_merge_groups(bench.owner.user, trust, bench.groups[2], version=trust.version)
    # The colleague sorts their unit elsewhere after the merge.
    actions.do_code_unit(bench.colleague.user, theirs, bench.groups[0])
    page = _undo(bench.owner.client("en"), bench)
    assert "This cannot be undone: someone changed these units or code groups since." in page
    assert not CodeGroup.objects.filter(pk=trust.pk).exists()
    assert Coding.objects.get(unit=theirs).code_group_id == bench.groups[0].pk
    assert not UndoStep.objects.filter(user=bench.owner.user).exists()


def test_the_undo_log_keeps_ids_not_words(bench: Bench) -> None:
    units = coded(bench)
    actions.do_delete_unit(bench.owner.user, units["Trust"][0])
    step = UndoStep.objects.get()
    assert "tjenesten" not in step.data.__repr__()
    assert set(step.data) >= {"unit", "transcript", "start", "end"}


def test_the_undo_log_keeps_the_last_ten_steps_per_person(bench: Bench) -> None:
    units = coded(bench)
    unit = units["Trust"][0]
    for n in range(12):
        actions.do_code_unit(bench.owner.user, unit, bench.groups[n % 3])
    assert UndoStep.objects.filter(user=bench.owner.user).count() == codebook.MAX_UNDO


# --- a model-based sequence test ---------------------------------------------------------


def _check_tree(bench: Bench, units: list[int]) -> None:
    groups = dict(bench.analysis.code_groups.values_list("pk", "parent_id"))
    for pk in groups:
        seen, node = set(), pk
        while node is not None:
            assert node not in seen, f"cycle through {pk}"
            seen.add(node)
            node = groups[node]
            assert node is None or node in groups
    for unit in units:
        rows = list(Coding.objects.filter(unit_id=unit).values_list("code_group_id", flat=True))
        assert len(rows) <= 1 and all(g in groups for g in rows)
        # A unit is never twice in one group, and only a sorted unit is in further groups.
        further = list(
            AlsoCoded.objects.filter(unit_id=unit).values_list("code_group_id", flat=True)
        )
        assert not further or rows, f"unit {unit} in further groups but not sorted"
        assert len(set(rows + further)) == len(rows + further), f"unit {unit} twice in a group"
        assert all(g in groups for g in further)


@pytest.mark.parametrize("seed", range(6))
def test_random_moves_merges_deletes_and_undos_keep_a_tree(bench: Bench, seed: int) -> None:
    rng = random.Random(seed)
    user = bench.owner.user
    for n in range(5):
        actions.do_add_code_group(user, bench.analysis, name=f"Extra {n}")
    units = [u.pk for us in coded(bench).values() for u in us]
    counts = {"done": 0, "refused": 0, "undone": 0, "also": 0}
    for step in range(80):
        groups = list(bench.analysis.code_groups.all())
        if len(groups) < 2:
            actions.do_add_code_group(user, bench.analysis, name=f"Later {step}")
            continue
        group = rng.choice(groups)
        other = rng.choice([*groups, None])
        op = rng.choice(["move", "merge", "delete", "undo", "sort", "also", "unalso", "reorder"])
        try:
            if op == "move":
                actions.do_move_group(user, group, parent=other, version=group.version)
            elif op == "merge" and other is not None:
                actions.do_merge_groups(user, group, other, version=group.version)
            elif op == "delete":
                actions.do_delete_group(user, group, version=group.version)
            elif op == "undo":
                actions.do_undo(user, bench.analysis)
                counts["undone"] += 1
            elif op == "sort":
                unit = MeaningUnit.objects.get(pk=rng.choice(units))
                actions.do_code_unit(user, unit, group)
            elif op == "also":
                unit = MeaningUnit.objects.get(pk=rng.choice(units))
                actions.do_also_code(user, unit, group)
                counts["also"] += 1
            elif op == "unalso":
                unit = MeaningUnit.objects.get(pk=rng.choice(units))
                actions.do_unalso_code(user, unit, group)
            else:
                actions.do_reorder_group(user, group, up=rng.random() < 0.5, version=group.version)
            counts["done"] += 1
        except ActionRefused:
            counts["refused"] += 1
        _check_tree(bench, units)
    assert counts["done"] > 20 and counts["undone"] > 0 and counts["also"] > 0
    # Every unit is in exactly one group or "to sort" (deleted groups' units never vanish).
    assert MeaningUnit.objects.filter(pk__in=units).count() == len(units)


# --- who may use the new pages -----------------------------------------------------------


def _urls(bench: Bench) -> list[str]:
    a, g = bench.analysis.pk, bench.groups[0].pk
    return [
        reverse("workbench:codebook", args=[a]),
        reverse("workbench:undo", args=[a]),
        *(
            reverse(f"workbench:group_{name}", args=[a, g])
            for name in ("move", "merge", "delete", "reorder", "colour")
        ),
    ]


def test_strangers_are_sent_to_sign_in(bench: Bench, client: Client) -> None:
    for url in _urls(bench):
        response = client.post(url) if "codebook" not in url else client.get(url)
        assert response.status_code == 302 and "/staff/login/" in response["Location"], url


@pytest.mark.parametrize("role", ["counsellor", "coordinator", "administrator"])
def test_other_roles_get_403(bench: Bench, cast: Cast, role: str) -> None:
    client = cast.members()[role].client("en")
    for url in _urls(bench):
        response = client.post(url) if "codebook" not in url else client.get(url)
        assert response.status_code == 403, url


def test_a_researcher_of_another_study_gets_404_and_changes_nothing(bench: Bench) -> None:
    client = bench.stranger.client("en")
    trust = bench.groups[1]
    for url in _urls(bench):
        response = (
            client.post(url, {"version": trust.version, "confirm": "1", "direction": "up"})
            if "codebook" not in url
            else client.get(url)
        )
        assert response.status_code == 404, url
    assert bench.analysis.code_groups.count() == 3


def test_wrong_methods_are_refused(bench: Bench) -> None:
    client = bench.owner.client("en")
    for url in _urls(bench):
        response = client.post(url) if "codebook" in url else client.get(url)
        assert response.status_code == 405, url


def test_a_group_of_another_analysis_is_not_found(bench: Bench) -> None:
    other = actions.do_create_analysis(bench.owner.user, bench.study, name="Second")
    foreign = actions.do_add_code_group(bench.owner.user, other, name="Elsewhere")
    client = bench.owner.client("en")
    url = reverse("workbench:group_merge", args=[bench.analysis.pk, foreign.pk])
    assert client.post(url, {"into": bench.groups[0].pk}).status_code == 404
    page = _post(client, "group_merge", bench, bench.groups[1], into=foreign.pk, confirm="1")
    assert "Choose the code group to merge into." in page or "Unknown code group." in page
    assert Category.objects.count() == 0 and CodeGroup.objects.filter(pk=foreign.pk).exists()


def test_the_code_book_counts_only_my_own_units_for_blind_coding(bench: Bench) -> None:
    start, end = bench.span("Jeg ville ha noen å snakke med.")
    actions.do_create_unit(
        bench.colleague.user, bench.version, start=start, end=end, code_group=bench.groups[2]
    )
    url = reverse("workbench:codebook", args=[bench.analysis.pk])
    mine = bench.owner.client("en").get(url).content.decode().split('<ol class="codebook"')[1]
    theirs = bench.colleague.client("en").get(url).content.decode().split('<ol class="codebook"')[1]
    assert mine.split("Advice")[1].split("</li>")[0].count("my units: 0") == 1
    assert theirs.split("Advice")[1].split("</li>")[0].count("my units: 1") == 1


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("nb", ["Kodebok", "Endre", "Slå sammen Trust med Exhaustion?"]),
        ("zh-hans", ["代码簿", "更改", "将 Trust 合并到 Exhaustion"]),
    ],
)
def test_the_code_book_speaks_norwegian_and_chinese(
    bench: Bench, settings: object, language: str, words: list[str]
) -> None:
    settings.LANGUAGE_CODE = language  # type: ignore[attr-defined]
    client = bench.owner.client(language)
    trust = _group(bench, "Trust")
    page = client.get(reverse("workbench:codebook", args=[bench.analysis.pk])).content.decode()
    url = reverse("workbench:group_merge", args=[bench.analysis.pk, trust.pk])
    page += client.post(
        url, {"version": trust.version, "into": bench.groups[0].pk}
    ).content.decode()
    for word in words:
        assert word in page, word


def test_colours_travel_out_and_back_in_a_refi_qda_codebook(bench: Bench, tmp_path: object) -> None:
    actions.do_set_colour(bench.owner.user, bench.groups[0], colour=6, version=1)
    response = bench.owner.client("en").get(
        reverse("workbench:export_qdc", args=[bench.analysis.pk])
    )
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert b'color="#B91C1C"' in content
    path = tmp_path / "book.qdc"  # type: ignore[operator]
    path.write_bytes(content)
    other = actions.do_create_analysis(bench.owner.user, bench.study, name="Second")
    actions.do_import_qdc(bench.owner.user, other, path)
    assert dict(other.code_groups.values_list("name", "colour")) == {
        "Exhaustion": 6,
        "Trust": 2,
        "Advice": 3,
    }


def test_undoing_a_unit_delete_puts_it_back_in_its_subgroup_and_condensate(
    bench: Bench,
) -> None:
    subgroups = condensed(bench)
    subgroup = subgroups["Trust"]
    unit = subgroup.units.order_by("pk").last()
    assert unit is not None and subgroup.condensates.get().units.filter(pk=unit.pk).exists()
    pk = unit.pk
    actions.do_delete_unit(bench.owner.user, unit)
    assert not subgroup.units.filter(pk=pk).exists()
    assert actions.do_undo(bench.owner.user, bench.analysis) == "deleting a unit"
    assert subgroup.units.filter(pk=pk).exists()
    assert subgroup.condensates.get().units.filter(pk=pk).exists()
    assert Coding.objects.get(unit_id=pk).code_group.name == "Trust"
