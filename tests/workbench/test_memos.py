"""Memos: written beside their subject, edited and deleted by their author only, read by everyone
on the analysis, listed, exported as REFI-QDA notes and printed in the report."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import defusedxml.ElementTree as SafeET
import pytest
from django.test import Client
from django.urls import reverse

from kollega.core.errors import ActionRefused
from kollega.core.models import AuditEvent
from kollega.stc.io.refi.common import NS, _guid
from kollega.workbench import actions, adapters
from kollega.workbench.models import MeaningUnit, Memo
from kollega.workbench.snapshot import stamp
from tests.cast import Cast
from tests.workbench.conftest import Bench, htmx

pytestmark = pytest.mark.django_db


def _url(name: str, bench: Bench, *args: Any) -> str:
    return reverse(f"workbench:{name}", args=[bench.analysis.pk, *args])


def _unit(bench: Bench, words: str = "Jeg var sliten etter mange vakter.") -> Any:
    start, end = bench.span(words)
    return actions.do_create_unit(
        bench.owner.user, bench.version, start=start, end=end, code_group=bench.groups[0]
    )


def _memo(bench: Bench, target: str = "", text: str = "Første tanke") -> Memo:
    return actions.do_add_memo(bench.owner.user, bench.analysis, target=target, text=text)


def test_a_researcher_writes_a_memo_on_each_kind_of_subject(bench: Bench) -> None:
    unit = _unit(bench)
    client = bench.owner.client("en")
    subjects = {
        "": "On the whole analysis",
        f"transcript:{bench.version.pk}": "On the interview",
        f"code_group:{bench.groups[1].pk}": "On trust",
        f"unit:{unit.pk}": "On being tired",
    }
    for target, text in subjects.items():
        response = client.post(_url("memo_add", bench), {"target": target, "text": text})
        assert response.status_code == 302
    stored = {m.target: m.text for m in Memo.objects.all()}
    assert stored == subjects
    assert all(m.author == bench.owner.user for m in Memo.objects.all())
    # Each is read where it belongs.
    overview = client.get(_url("analysis", bench)).content.decode()
    assert "On the whole analysis" in overview and "On trust" not in overview
    coding = client.get(_url("coding", bench, bench.version.pk)).content.decode()
    assert "On the interview" in coding
    group_page = client.get(_url("group_edit", bench, bench.groups[1].pk)).content.decode()
    assert "On trust" in group_page
    step3 = client.get(_url("condensation", bench, bench.groups[1].pk)).content.decode()
    assert "On trust" in step3
    panel = htmx(client).get(_url("memos_on", bench) + f"?target=unit:{unit.pk}")
    assert "On being tired" in panel.content.decode()
    assert "<html" not in panel.content.decode()  # the panel alone, for beside the units


def test_the_coding_page_offers_a_memo_per_unit(bench: Bench) -> None:
    unit = _unit(bench)
    page = bench.owner.client("en").get(_url("coding", bench, bench.version.pk)).content.decode()
    link = _url("memos_on", bench) + f"?target=unit:{unit.pk}"
    assert f'hx-get="{link}"' in page
    assert 'id="unit-memo"' in page
    # The panel loads below the list (on a phone, below the code groups too): the link
    # brings it into view, or nothing would seem to happen.
    assert f'hx-get="{link}" hx-target="#unit-memo" hx-swap="innerHTML show:top"' in page


def test_the_audit_names_the_memo_and_its_subject_kind_never_its_text(bench: Bench) -> None:
    client = bench.owner.client("en")
    client.post(
        _url("memo_add", bench),
        {"target": f"code_group:{bench.groups[0].pk}", "text": "Hemmelig tanke"},
    )
    memo = Memo.objects.get()
    client.post(_url("memo_edit", bench, memo.pk), {"text": "Ny hemmelig", "version": "1"})
    client.post(_url("memo_delete", bench, memo.pk))
    events = AuditEvent.objects.filter(action__startswith="workbench.memo.")
    assert [e.action for e in events.order_by("pk")] == [
        "workbench.memo.add",
        "workbench.memo.edit",
        "workbench.memo.delete",
    ]
    assert events.order_by("pk")[0].details["about"] == "code_group"
    assert not any("hemmelig" in str(e.details).lower() for e in events)


def test_a_colleague_reads_a_memo_but_cannot_change_or_delete_it(bench: Bench) -> None:
    memo = _memo(bench, f"code_group:{bench.groups[0].pk}", "Sara's thought")
    client = bench.colleague.client("en")
    page = client.get(_url("group_edit", bench, bench.groups[0].pk)).content.decode()
    assert "Sara&#x27;s thought" in page or "Sara's thought" in page
    assert _url("memo_edit", bench, memo.pk) not in page
    assert client.get(_url("memo_edit", bench, memo.pk)).status_code == 403
    response = client.post(_url("memo_edit", bench, memo.pk), {"text": "Mine", "version": "1"})
    assert response.status_code == 403
    assert client.post(_url("memo_delete", bench, memo.pk)).status_code == 403
    memo.refresh_from_db()
    assert memo.text == "Sara's thought" and memo.version == 1


def test_a_researcher_of_another_study_finds_no_memo(bench: Bench) -> None:
    memo = _memo(bench)
    client = bench.stranger.client("en")
    for url in (
        _url("memos", bench),
        _url("memos_on", bench),
        _url("memo_edit", bench, memo.pk),
        _url("memo_delete", bench, memo.pk),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(_url("memo_add", bench), {"text": "Intruder"}).status_code == 404
    assert client.post(_url("memo_delete", bench, memo.pk)).status_code == 404
    assert Memo.objects.count() == 1


@pytest.mark.parametrize("role", ["counsellor", "coordinator", "administrator", "outsider"])
def test_other_roles_get_403(bench: Bench, cast: Cast, role: str) -> None:
    memo = _memo(bench)
    client = cast.members()[role].client("en")
    assert client.get(_url("memos", bench)).status_code == 403
    assert client.get(_url("memos_on", bench)).status_code == 403
    assert client.post(_url("memo_add", bench), {"text": "x"}).status_code == 403
    assert client.post(_url("memo_delete", bench, memo.pk)).status_code == 403
    assert Memo.objects.count() == 1


def test_a_stranger_is_sent_to_sign_in(bench: Bench) -> None:
    memo = _memo(bench)
    for url in (_url("memos", bench), _url("memo_delete", bench, memo.pk)):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/staff/login/")
    assert Client().post(_url("memo_add", bench), {"text": "x"}).status_code == 302
    assert Memo.objects.count() == 1


def test_wrong_methods_are_refused(bench: Bench) -> None:
    memo = _memo(bench)
    client = bench.owner.client("en")
    assert client.get(_url("memo_add", bench)).status_code == 405
    assert client.post(_url("memos", bench)).status_code == 405
    assert client.post(_url("memos_on", bench)).status_code == 405
    assert client.delete(_url("memo_edit", bench, memo.pk)).status_code == 405
    assert client.put(_url("memo_delete", bench, memo.pk)).status_code == 405


def test_a_subject_from_another_analysis_or_made_up_is_refused(bench: Bench) -> None:
    other = actions.do_create_analysis(bench.owner.user, bench.study, name="Second analysis")
    foreign = actions.do_add_code_group(bench.owner.user, other, name="Elsewhere")
    client = bench.owner.client("en")
    for target in (f"code_group:{foreign.pk}", "unit:999999", "participant:1", "code_group:x"):
        response = client.post(_url("memo_add", bench), {"target": target, "text": "Lost"})
        assert response.status_code == 404, target
    assert not Memo.objects.exists()
    with pytest.raises(ActionRefused):
        actions.do_add_memo(
            bench.owner.user, bench.analysis, target=f"code_group:{foreign.pk}", text="Lost"
        )
    assert not Memo.objects.exists()


def test_an_empty_memo_is_refused_with_nothing_saved(bench: Bench) -> None:
    client = bench.owner.client("en")
    response = client.post(_url("memo_add", bench), {"target": "", "text": "   "})
    assert response.status_code == 400
    assert "Write the memo first." in response.content.decode()
    assert not Memo.objects.exists()


def test_a_stale_second_save_is_refused_and_its_text_kept(bench: Bench) -> None:
    memo = _memo(bench, text="Draft")
    client = bench.owner.client("en")
    first = client.post(_url("memo_edit", bench, memo.pk), {"text": "Tab one", "version": "1"})
    assert first.status_code == 302
    second = client.post(_url("memo_edit", bench, memo.pk), {"text": "Tab two", "version": "1"})
    assert second.status_code == 400
    page = second.content.decode()
    assert "Someone saved this after you opened it." in page
    assert "Tab two" in page  # the researcher's words are still on the page
    assert 'name="version" value="1"' in page  # a retry from this form is refused again
    memo.refresh_from_db()
    assert (memo.text, memo.version) == ("Tab one", 2)
    # The same over htmx: the panel answers with the refusal and the kept words.
    again = htmx(client).post(
        _url("memo_edit", bench, memo.pk), {"text": "Tab three", "version": "1"}
    )
    assert again.status_code == 200
    assert "Someone saved this after you opened it." in again.content.decode()
    assert "Tab three" in again.content.decode()
    memo.refresh_from_db()
    assert memo.text == "Tab one"


def test_deleting_asks_first_then_deletes(bench: Bench) -> None:
    memo = _memo(bench, text="To go")
    client = bench.owner.client("en")
    confirm = client.get(_url("memo_delete", bench, memo.pk))
    assert confirm.status_code == 200
    assert "Delete the memo?" in confirm.content.decode()
    assert Memo.objects.filter(pk=memo.pk).exists()
    response = client.post(_url("memo_delete", bench, memo.pk))
    assert response.status_code == 302
    assert not Memo.objects.filter(pk=memo.pk).exists()


def test_a_plain_post_returns_only_to_a_page_of_this_site(bench: Bench) -> None:
    client = bench.owner.client("en")
    here = _url("group_edit", bench, bench.groups[0].pk)
    response = client.post(_url("memo_add", bench), {"text": "Back", "back": here})
    assert response["Location"] == here
    response = client.post(
        _url("memo_add", bench), {"text": "Away", "back": "https://evil.example/"}
    )
    assert "evil" not in response["Location"]
    assert response["Location"].startswith(_url("memos_on", bench))
    for odd in ("0", "//evil.example/", "javascript:alert(1)", "memos"):
        response = client.post(_url("memo_add", bench), {"text": "Odd", "back": odd})
        assert response.status_code == 302, odd
        assert response["Location"].startswith(_url("memos_on", bench)), odd


def test_the_memo_list_shows_every_memo_and_filters_by_subject(bench: Bench) -> None:
    unit = _unit(bench)
    _memo(bench, "", "About everything")
    _memo(bench, f"unit:{unit.pk}", "About one unit")
    _memo(bench, f"code_group:{bench.groups[2].pk}", "About advice")
    client = bench.owner.client("en")
    page = client.get(_url("memos", bench)).content.decode()
    for text in ("About everything", "About one unit", "About advice"):
        assert text in page
    assert "Code group: Advice" in page
    assert _url("group_edit", bench, bench.groups[2].pk) in page  # linked to its place
    only_units = client.get(_url("memos", bench) + "?kind=unit").content.decode()
    assert "About one unit" in only_units
    assert "About everything" not in only_units and "About advice" not in only_units
    analysis_only = client.get(_url("memos", bench) + "?kind=analysis").content.decode()
    assert "About everything" in analysis_only and "About one unit" not in analysis_only
    nav = client.get(_url("analysis", bench)).content.decode()
    assert f'href="{_url("memos", bench)}"' in nav


def test_the_qdpx_export_holds_each_memo_as_a_note_on_its_subject(bench: Bench) -> None:
    unit = _unit(bench)
    group = bench.groups[0]
    _memo(bench, f"code_group:{group.pk}", "Group note")
    _memo(bench, f"code_group:{group.pk}", "Second group note")
    _memo(bench, f"unit:{unit.pk}", "Unit note")
    _memo(bench, f"transcript:{bench.version.pk}", "Transcript note")
    response = bench.owner.client("en").get(_url("export_qdpx", bench))
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        root = SafeET.fromstring(zf.read("project.qde"))
        texts = {n: zf.read(n).decode() for n in zf.namelist() if n.startswith("sources/")}
    q = f"{{{NS}}}"
    notes = {n.get("guid"): n for n in root.iter(f"{q}Note")}
    names = [n.get("name") for n in notes.values()]
    assert len(names) == len(set(names))  # QualCoder stops at two notes of one name
    by_guid = {el.get("guid"): el for el in root.iter() if el.get("guid")}

    def noted(record_id: str) -> list[str]:
        refs = by_guid[_guid(record_id)].findall(f"{q}NoteRef")
        return sorted(texts[f"sources/{r.get('targetGUID')}.txt"] for r in refs)

    assert noted(f"g{group.pk}") == ["Group note", "Second group note"]
    assert noted(f"u{unit.pk}") == ["Unit note"]
    assert noted(f"t{bench.version.pk}") == ["Transcript note"]


def test_the_report_lists_each_memo_with_author_subject_date_and_text(bench: Bench) -> None:
    unit = _unit(bench)
    _memo(bench, f"unit:{unit.pk}", "Tired after the night shifts")
    memo = _memo(bench, "", "The whole picture")
    response = bench.owner.client("en").get(
        reverse("workbench:download", args=[bench.analysis.pk, "report", "md"])
    )
    body = response.content.decode()
    assert "## Memos" in body
    author = bench.owner.user.get_username()
    assert "Tired after the night shifts" in body and "The whole picture" in body
    assert f"{author} on meaning unit “Jeg var sliten etter mange vakter.” (P01)" in body
    assert f"{author} on the analysis, {memo.created.date().isoformat()}:" in body


def test_a_memo_change_gives_the_analysis_a_new_stamp(bench: Bench) -> None:
    before = stamp(bench.analysis)
    memo = _memo(bench)
    added = stamp(bench.analysis)
    assert added != before
    actions.do_edit_memo(bench.owner.user, memo, text="Changed", version=1)
    edited = stamp(bench.analysis)
    assert edited != added
    actions.do_delete_memo(bench.owner.user, memo)
    assert stamp(bench.analysis) not in (added, edited)


def test_a_reimported_qdpx_keeps_each_memo_on_its_subject(bench: Bench, tmp_path: Any) -> None:
    unit = _unit(bench)
    _memo(bench, f"code_group:{bench.groups[1].pk}", "On trust")
    _memo(bench, f"unit:{unit.pk}", "On a unit")
    _memo(bench, f"transcript:{bench.version.pk}", "On the interview")
    _memo(bench, "", "On everything")
    out = tmp_path / "memos.qdpx"
    adapters.write_qdpx(bench.analysis, out)
    again, _made = actions.do_import_qdpx(
        bench.owner.user, bench.study, out, name="Again", deidentified=True
    )
    found = {m.text: actions.parse_target(m.target) for m in again.memos.all()}
    assert found["On everything"] == actions.parse_target("")
    group = again.code_groups.get(pk=found["On trust"].pk)  # type: ignore[union-attr]
    assert group.name == "Trust"
    new_unit = MeaningUnit.objects.get(pk=found["On a unit"].pk)  # type: ignore[union-attr]
    assert new_unit.transcript.analysis == again and new_unit.text == unit.text
    transcript = found["On the interview"]
    assert transcript is not None and transcript.kind == "transcript"
    assert again.transcripts.filter(pk=transcript.pk).exists()


def test_a_memo_outlives_its_authors_account(bench: Bench) -> None:
    _memo(bench, f"code_group:{bench.groups[0].pk}", "Left behind")
    Memo.objects.update(author=None)
    client = bench.colleague.client("en")
    for url in (_url("memos", bench), _url("group_edit", bench, bench.groups[0].pk)):
        page = client.get(url).content.decode()
        assert "Left behind" in page and "a former researcher" in page
    report = client.get(reverse("workbench:download", args=[bench.analysis.pk, "report", "md"]))
    assert "a former researcher on code group Exhaustion" in report.content.decode()


def test_a_memo_on_a_colleagues_unit_stays_hidden_until_the_coders_compare(bench: Bench) -> None:
    """Blind double coding: the memo would show where the other coder marked a unit."""
    start, end = bench.span("Jeg ville ha noen å snakke med.")
    theirs = actions.do_create_unit(
        bench.colleague.user, bench.version, start=start, end=end, code_group=bench.groups[2]
    )
    actions.do_add_memo(
        bench.colleague.user,
        bench.analysis,
        target=f"unit:{theirs.pk}",
        text="Rune wrote on his unit",
    )
    _unit(bench)  # the owner codes too, so the two can compare
    owner = bench.owner.client("en")
    assert "Rune wrote on his unit" not in owner.get(_url("memos", bench)).content.decode()
    # Nor can the owner open that unit's memos, or write one on it, by its id.
    assert owner.get(_url("memos_on", bench) + f"?target=unit:{theirs.pk}").status_code == 404
    response = owner.post(_url("memo_add", bench), {"target": f"unit:{theirs.pk}", "text": "x"})
    assert response.status_code == 404
    colleague_list = bench.colleague.client("en").get(_url("memos", bench)).content.decode()
    assert "Rune wrote on his unit" in colleague_list
    actions.do_request_comparison(bench.owner.user, bench.version)
    shown = owner.get(_url("memos", bench)).content.decode()
    assert "Rune wrote on his unit" in shown
    assert owner.get(_url("memos_on", bench) + f"?target=unit:{theirs.pk}").status_code == 200


def test_a_memo_on_a_deleted_unit_is_kept_and_exported_on_the_project(bench: Bench) -> None:
    unit = _unit(bench)
    _memo(bench, f"unit:{unit.pk}", "Still worth keeping")
    actions.do_delete_unit(bench.owner.user, unit)
    client = bench.owner.client("en")
    page = client.get(_url("memos", bench)).content.decode()
    assert "Still worth keeping" in page and "A removed subject" in page
    response = client.get(_url("export_qdpx", bench))
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        root = SafeET.fromstring(zf.read("project.qde"))
    refs = [r.get("targetGUID") for r in root.findall(f"{{{NS}}}NoteRef")]
    assert refs == [_guid(f"m{Memo.objects.get().pk}")]
