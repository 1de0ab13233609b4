"""Importing a transcript made elsewhere (.txt, .docx, .vtt, .srt)."""

from __future__ import annotations

import io
from typing import Any

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kollega.research.models import ProposalJob, Transcript
from kollega.research.proposing import run_proposals
from kollega.speech.transcript_files import speaker_role
from tests.research.conftest import Studied, add_transcript

TXT = "Intervjuer: Hvem rådet deg til å ringe?\n\nP01: Det var Marte Lien.\n\nI: Og så?\n"
VTT = (
    "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Interviewer>Who told you to call?\n\n"
    "00:00:04.500 --> 00:00:07.250\n<v Participant>It was Marte Lien.\n"
)


def _docx(*paragraphs: str) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _post(studied: Studied, name: str, data: bytes, **extra: Any) -> Any:
    return studied.owner.client("en").post(
        reverse("research:transcript_import", args=[studied.interview.pk]),
        {"transcript_file": SimpleUploadedFile(name, data), **extra},
    )


@pytest.mark.django_db
def test_a_text_transcript_becomes_turns_with_roles_and_proposals(studied: Studied) -> None:
    response = _post(studied, "intervju P01.txt", TXT.encode())
    assert response.url == reverse("research:transcript", args=[studied.interview.pk])
    transcript = Transcript.objects.get()
    assert [(t["speaker"], t["text"]) for t in transcript.turns] == [
        ("interviewer", "Hvem rådet deg til å ringe?"),
        ("participant", "Det var Marte Lien."),
        ("interviewer", "Og så?"),
    ]
    assert transcript.source == "imported" and transcript.turn_method == "file"
    # The rules run in the background, not in the request.
    job = ProposalJob.objects.get(transcript=transcript)
    assert job.status == "queued" and not transcript.findings.exists()
    assert run_proposals(job.pk) == "done"
    assert ("person", "Marte Lien") in set(transcript.findings.values_list("kind", "text"))


@pytest.mark.django_db
def test_a_text_transcript_has_no_invented_times(studied: Studied) -> None:
    _post(studied, "intervju P01.txt", TXT.encode())
    assert all(t["start"] is None and t["end"] is None for t in Transcript.objects.get().turns)
    client = studied.owner.client("en")
    url = reverse("research:transcript_download", args=[studied.interview.pk, "txt"])
    text = client.get(url).content.decode()
    # No times where none are known; speaker names in the interview's language (Bokmål).
    assert text == (
        "Intervjuer: Hvem rådet deg til å ringe?\n\nDeltaker: Det var Marte Lien.\n\n"
        "Intervjuer: Og så?\n"
    )
    vtt = client.get(
        reverse("research:transcript_download", args=[studied.interview.pk, "vtt"]), follow=True
    )
    assert vtt["Content-Type"].startswith("text/html")
    assert "has no times" in vtt.content.decode()
    assert "00:00:00.000" not in vtt.content.decode()
    page = client.get(reverse("research:interview", args=[studied.interview.pk])).content.decode()
    assert "transcript.vtt" not in page and "no subtitles: this transcript has no times" in page
    read = client.get(reverse("research:transcript_read", args=[studied.interview.pk]))
    assert "0:00" not in read.content.decode()


@pytest.mark.django_db
def test_subtitles_of_an_english_interview_are_valid_and_labelled_in_english(
    studied: Studied,
) -> None:
    studied.interview.language = "en"
    studied.interview.save()
    _post(studied, "interview.vtt", VTT.encode())
    body = (
        studied.owner.client("nb")
        .get(reverse("research:transcript_download", args=[studied.interview.pk, "vtt"]))
        .content.decode()
    )
    assert body == (
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Interviewer>Who told you to call?\n\n"
        "00:00:04.500 --> 00:00:07.250\n<v Participant>It was Marte Lien.\n\n"
    )


@pytest.mark.django_db
def test_a_word_transcript_imports(studied: Studied) -> None:
    _post(studied, "intervju.docx", _docx("Forsker: Fortell.", "Informant: Jeg var sliten."))
    turns = Transcript.objects.get().turns
    assert [(t["speaker"], t["text"]) for t in turns] == [
        ("interviewer", "Fortell."),
        ("participant", "Jeg var sliten."),
    ]


@pytest.mark.django_db
def test_subtitles_keep_their_times(studied: Studied) -> None:
    _post(studied, "intervju.vtt", VTT.encode())
    turns = Transcript.objects.get().turns
    assert [(t["speaker"], t["start"], t["end"]) for t in turns] == [
        ("interviewer", 1.0, 4.0),
        ("participant", 4.5, 7.25),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.txt", "Intervjuer: Hei på deg".encode("latin-1"), "save the file as UTF-8"),
        ("notes.pdf", b"%PDF-1.4", "use a .txt, .docx, .vtt or .srt file"),
        ("notes.docx", b"not a zip at all", "not a readable .docx file"),
        ("notes.txt", b"   \n\n  ", "holds no text"),
    ],
)
def test_unreadable_files_are_refused_and_change_nothing(
    studied: Studied, name: str, data: bytes, message: str
) -> None:
    response = _post(studied, name, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "notes" not in response.content.decode()  # the file's own name is not echoed
    assert not Transcript.objects.exists()


@pytest.mark.django_db
def test_an_existing_transcript_is_replaced_only_when_asked(studied: Studied) -> None:
    add_transcript(studied.interview, [("participant", "Rettet for hånd.")])
    response = _post(studied, "ny.txt", TXT.encode())
    assert response.status_code == 400
    assert "Tick the box to replace it" in response.content.decode()
    assert Transcript.objects.get().text == "Rettet for hånd."
    _post(studied, "ny.txt", TXT.encode(), replace="on")
    assert Transcript.objects.get().turns[0]["text"] == "Hvem rådet deg til å ringe?"


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("Intervjuer", "interviewer"),
        ("I.", "interviewer"),
        ("p07", "participant"),
        ("Deltaker", "participant"),
        ("Sykepleier", "Sykepleier"),
        ("", "speaker"),
    ],
)
def test_common_labels_become_roles(label: str, role: str) -> None:
    assert speaker_role(label, pseudonym="P07") == role
