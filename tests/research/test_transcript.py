"""The transcript editor: correct words and speakers, split and join turns, download."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from kollega.core.models import AuditEvent
from kollega.research import actions
from kollega.research.models import Transcript
from kollega.speech.formats import cue_times, format_timestamp
from tests.research.conftest import Studied, add_transcript

TURNS = [
    ("interviewer", "Hvordan har du det?"),
    ("participant", "Bra, takk. Hva med deg?"),
    ("participant", "Jeg mener: det går bedre nå."),
]


@pytest.fixture
def transcript(studied: Studied) -> Transcript:
    return add_transcript(studied.interview, TURNS)


def _form(transcript: Transcript, **changes: str) -> dict[str, Any]:
    data: dict[str, Any] = {"version": transcript.version}
    for i, turn in enumerate(transcript.turns):
        data[f"speaker-{i}"] = turn["speaker"]
        data[f"text-{i}"] = turn["text"]
    data.update(changes)
    return data


def _url(studied: Studied) -> str:
    return reverse("research:transcript", args=[studied.interview.pk])


@pytest.mark.django_db
def test_opening_the_transcript_is_audited_and_shows_times(
    studied: Studied, transcript: Transcript
) -> None:
    page = studied.owner.client("en").get(_url(studied)).content.decode()
    assert "Hvordan har du det?" in page
    assert "0:10 - 0:19" in page
    assert AuditEvent.objects.filter(action="research.transcript.view").count() == 1


@pytest.mark.django_db
def test_a_speaker_correction_joins_neighbouring_turns(
    studied: Studied, transcript: Transcript
) -> None:
    client = studied.owner.client("en")
    response = client.post(_url(studied), _form(transcript, **{"speaker-1": "interviewer"}))
    assert response.status_code == 302
    transcript.refresh_from_db()
    assert [t["speaker"] for t in transcript.turns] == ["interviewer", "participant"]
    assert transcript.turns[0]["text"] == "Hvordan har du det? Bra, takk. Hva med deg?"
    assert transcript.turns[0]["end"] == 19.0
    assert transcript.version == 2


@pytest.mark.django_db
def test_a_split_mark_gives_the_rest_to_the_other_speaker(
    studied: Studied, transcript: Transcript
) -> None:
    client = studied.owner.client("en")
    text = "Bra, takk.\n---\nDet var godt å høre."
    client.post(_url(studied), _form(transcript, **{"text-1": text}))
    transcript.refresh_from_db()
    assert [(t["speaker"], t["text"]) for t in transcript.turns] == [
        ("interviewer", "Hvordan har du det?"),
        ("participant", "Bra, takk."),
        ("interviewer", "Det var godt å høre."),
        ("participant", "Jeg mener: det går bedre nå."),
    ]


@pytest.mark.django_db
def test_changed_words_drop_the_identifier_proposals(
    studied: Studied, transcript: Transcript
) -> None:
    actions.propose_identifiers(transcript)
    transcript.refresh_from_db()
    assert transcript.proposals_made is not None
    client = studied.owner.client("en")
    response = client.post(
        _url(studied), _form(transcript, **{"text-0": "Hvordan har du det, Trond?"}), follow=True
    )
    assert "make the identifier proposals again" in response.content.decode()
    transcript.refresh_from_db()
    assert transcript.proposals_made is None


@pytest.mark.django_db
def test_a_save_on_an_old_version_is_refused(studied: Studied, transcript: Transcript) -> None:
    client = studied.owner.client("en")
    stale = _form(transcript, **{"text-0": "Mine endringer."})
    client.post(_url(studied), _form(transcript, **{"text-0": "Kollegaens endringer."}))
    response = client.post(_url(studied), stale)
    assert response.status_code == 400
    assert "Someone saved this transcript after you opened it" in response.content.decode()
    assert "Mine endringer." in response.content.decode()  # what was typed is kept on the page
    transcript.refresh_from_db()
    assert transcript.turns[0]["text"] == "Kollegaens endringer."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"speaker-0": "the chief physician"}, "choose a speaker from the list"),
        ({"text-0": "", "text-1": "", "text-2": ""}, "at least one turn with words"),
        ({"text-0": "x" * 20_001}, "longer than 20000 characters"),
    ],
)
def test_bad_edits_change_nothing(
    studied: Studied, transcript: Transcript, changes: dict[str, str], message: str
) -> None:
    response = studied.owner.client("en").post(_url(studied), _form(transcript, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    transcript.refresh_from_db()
    assert transcript.version == 1
    assert transcript.turns[0]["text"] == "Hvordan har du det?"


@pytest.mark.django_db
@pytest.mark.parametrize(("fmt", "expected"), [("txt", "Intervjuer: Hvordan"), ("vtt", "WEBVTT")])
def test_downloads_carry_speakers_and_are_audited(
    studied: Studied, transcript: Transcript, fmt: str, expected: str
) -> None:
    url = reverse("research:transcript_download", args=[studied.interview.pk, fmt])
    response = studied.owner.client("en").get(url)
    body = response.content.decode()
    assert expected in body
    assert "Bra, takk." in body
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="P01-{studied.interview.pk}.{fmt}"'
    )
    event = AuditEvent.objects.get(action="research.transcript.download")
    assert event.details == {"format": fmt, "deidentified": False}
    bad = reverse("research:transcript_download", args=[studied.interview.pk, "exe"])
    assert studied.owner.client("en").get(bad).status_code == 404


@pytest.mark.django_db
def test_a_stale_form_is_told_so_even_when_the_turns_changed(
    studied: Studied, transcript: Transcript
) -> None:
    client = studied.owner.client("en")
    stale = _form(transcript)
    # A colleague joins turns 2 and 3 (same speaker already) by giving turn 2 to the interviewer.
    client.post(_url(studied), _form(transcript, **{"speaker-2": "interviewer"}))
    stale.pop("speaker-2")
    response = client.post(_url(studied), stale)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone saved this transcript after you opened it" in page
    assert "choose a speaker" not in page


def _written_by_hand(turns: list[dict[str, Any]], names: list[str], fmt: str) -> str:
    """The downloads as the transcript page wrote them before it used ``speech.formats``."""
    if fmt == "vtt":
        times = cue_times(turns)
        assert times is not None
        return "WEBVTT\n\n" + "".join(
            f"{format_timestamp(start)} --> {format_timestamp(end)}\n<v {name}>{t['text']}\n\n"
            for (start, end), name, t in zip(times, names, turns, strict=True)
        )
    return (
        "\n\n".join(
            (f"[{format_timestamp(t['start'])[:8]}] " if t.get("start") is not None else "")
            + f"{name}: {t['text']}"
            for name, t in zip(names, turns, strict=True)
        )
        + "\n"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["txt", "vtt"])
def test_downloads_are_byte_for_byte_what_the_page_wrote_by_hand(
    studied: Studied, fmt: str
) -> None:
    turns: list[dict[str, Any]] = [
        {"speaker": "interviewer", "start": 0.0, "end": 4.25, "text": "Hvordan har du det?"},
        # The two halves of a turn split in the editor: each kept one of its times.
        {"speaker": "participant", "start": 4.5, "end": None, "text": "Bra, takk."},
        {"speaker": "interviewer", "start": None, "end": 3671.5, "text": "Hva med deg?"},
        {"speaker": "P01 <v>", "start": 3672.0, "end": 3680.0, "text": "Jeg mener: æøå."},
    ]
    transcript = add_transcript(studied.interview, [])
    transcript.set_turns(turns)
    transcript.save()
    url = reverse("research:transcript_download", args=[studied.interview.pk, fmt])
    response = studied.owner.client("en").get(url)
    names = ["Intervjuer", "Deltaker", "Intervjuer", "P01 <v>"]
    assert response.content == _written_by_hand(turns, names, fmt).encode()
    # The bytes are UTF-8 and the header says so: without it æøå open as mojibake.
    kind = "text/vtt" if fmt == "vtt" else "text/plain"
    assert response["Content-Type"] == f"{kind}; charset=utf-8"
