"""What a ``.qdpx`` written by another program brings into the workbench, byte for byte as
those programs write it: case variables, a project kept out of recruitment, speaker labels
shown once, codes that are headings only."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from kollega.core.errors import ActionRefused
from kollega.research import actions as research_actions
from kollega.research.recruitment import participants_with_windows
from kollega.workbench import actions, adapters
from kollega.workbench.models import CodeGroup, MeaningUnit
from tests.workbench.conftest import Bench
from tests.workbench.test_exchange import FOREIGN

SOURCE = "66666666-6666-4666-8666-666666666666"
# Labels as a transcriber types them; QualCoder writes the source as UTF-8 with a BOM.
LABELLED = "Intervjuer: Hvordan gikk nattevaktene?\n\nDeltaker: Nattevaktene slet meg ut."
QUESTION = (LABELLED.index("Hvordan"), LABELLED.index("\n\n"))


def _qdpx(
    tmp_path: Path, *, qde: str = FOREIGN, text: str = LABELLED, encoding: str = "utf-8-sig"
) -> Path:
    path = tmp_path / "other.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
        zf.writestr(f"Sources/{SOURCE}.txt", text.encode(encoding))
    return path


def _selection(qde: str, start: int, end: int) -> str:
    return qde.replace(
        'startPosition="3" endPosition="33"', f'startPosition="{start}" endPosition="{end}"'
    )


@pytest.mark.django_db
def test_the_case_variables_become_the_participants_attributes(
    bench: Bench, tmp_path: Path
) -> None:
    qde = _selection(FOREIGN, *QUESTION)
    actions.do_import_qdpx(
        bench.owner.user, bench.study, _qdpx(tmp_path, qde=qde), name="", deidentified=True
    )
    person = bench.study.participants.get(pseudonym="D7")
    assert person.attributes == {"Gender": "woman"}
    assert person.imported
    # And they go out again as the case's variables.
    analysis = person.interviews.get().analysis_transcripts.get().analysis
    out = tmp_path / "out.qdpx"
    adapters.write_qdpx(analysis, out)
    (case,) = adapters.read_qdpx(out)["participants"]
    assert case["attributes"] == {"Gender": "woman"}


@pytest.mark.django_db
def test_an_imported_project_stays_out_of_the_studys_recruitment(
    bench: Bench, tmp_path: Path
) -> None:
    # The study recruited a D7 of its own; the file's D7 is someone else.
    recruited = research_actions.do_add_participant(bench.owner.user, bench.study, pseudonym="D7")
    bench.study.target_sample = 3
    bench.study.save()
    qde = _selection(FOREIGN, *QUESTION)
    analysis, made = actions.do_import_qdpx(
        bench.owner.user, bench.study, _qdpx(tmp_path, qde=qde), name="", deidentified=True
    )
    case = analysis.transcripts.get().interview.participant
    assert case != recruited and case.imported and case.pseudonym == "D7 (2)"
    assert made["participants"] == 1
    assert not recruited.interviews.exists()
    listed = [p for p, _windows in participants_with_windows(bench.study, timezone.localdate())]
    assert case not in listed and recruited in listed
    page = bench.owner.client().get(reverse("research:recruitment", args=[bench.study.pk]))
    assert page.status_code == 200 and "D7 (2)" not in page.content.decode()


@pytest.mark.django_db
def test_speaker_labels_in_the_text_are_not_doubled(bench: Bench, tmp_path: Path) -> None:
    start = LABELLED.index("Nattevaktene slet")
    qde = _selection(FOREIGN, start, len(LABELLED))
    analysis, _made = actions.do_import_qdpx(
        bench.owner.user, bench.study, _qdpx(tmp_path, qde=qde), name="", deidentified=True
    )
    version = analysis.transcripts.get()
    assert [(t["speaker"], t["text"]) for t in version.interview.transcript.turns] == [
        ("interviewer", "Hvordan gikk nattevaktene?"),
        ("participant", "Nattevaktene slet meg ut."),
    ]
    # The unit still covers the same words, its offsets moved past the labels taken out.
    assert MeaningUnit.objects.get(transcript=version).text == "Nattevaktene slet meg ut."
    url = reverse("research:transcript_download", args=[version.interview.pk, "txt"])
    body = bench.owner.client().get(url).content.decode()
    assert "Intervjuer: Hvordan gikk" in body and "Intervjuer: Intervjuer:" not in body
    assert "Deltaker: Deltaker:" not in body


@pytest.mark.django_db
def test_a_unit_over_a_label_keeps_its_words(bench: Bench, tmp_path: Path) -> None:
    qde = _selection(FOREIGN, 0, LABELLED.index("\n\n"))
    analysis, made = actions.do_import_qdpx(
        bench.owner.user, bench.study, _qdpx(tmp_path, qde=qde), name="", deidentified=True
    )
    unit = MeaningUnit.objects.get(transcript=analysis.transcripts.get())
    assert unit.text == "Hvordan gikk nattevaktene?" and made["skipped"] == 0


@pytest.mark.django_db
def test_a_code_the_file_marks_not_codable_stays_a_heading(bench: Bench, tmp_path: Path) -> None:
    qde = _selection(FOREIGN, *QUESTION).replace(
        'name="Work" isCodable="true"', 'name="Work" isCodable="false"'
    )
    analysis, _made = actions.do_import_qdpx(
        bench.owner.user, bench.study, _qdpx(tmp_path, qde=qde), name="", deidentified=True
    )
    work = CodeGroup.objects.get(analysis=analysis, name="Work")
    night = CodeGroup.objects.get(analysis=analysis, name="Night shifts")
    assert not work.codable and night.codable
    unit = MeaningUnit.objects.get(transcript=analysis.transcripts.get())
    with pytest.raises(ActionRefused, match="heading"):
        actions.do_code_unit(bench.owner.user, unit, work)
    actions.do_code_unit(bench.owner.user, unit, night)
