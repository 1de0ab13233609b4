"""Listening to a recording: decrypted as it is sent, with byte ranges, for the study only."""

from __future__ import annotations

import io
import random

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from kollega.core import crypto
from kollega.core.models import AuditEvent
from kollega.research import actions, recordings
from kollega.research.models import Recording
from tests.cast import Cast
from tests.research.conftest import Studied, add_transcript, tone_wav, upload


@pytest.fixture
def audio(studied: Studied) -> bytes:
    data = tone_wav(10.0)  # 320 kB: two chunks
    actions.do_store_recording(studied.owner.user, studied.interview, upload(data))
    return data


def _url(studied: Studied) -> str:
    return reverse("research:recording_audio", args=[studied.interview.pk])


def _body(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_the_researcher_hears_the_whole_recording_and_it_is_audited(
    studied: Studied, audio: bytes
) -> None:
    response = studied.owner.client("en").get(_url(studied))
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert response["Accept-Ranges"] == "bytes"
    assert int(response["Content-Length"]) == len(audio)
    assert "no-store" in response["Cache-Control"]
    assert _body(response) == audio
    event = AuditEvent.objects.filter(action="research.recording.listen").get()
    assert event.actor == studied.owner.user
    assert event.details["start"] == 0 and event.details["end"] == len(audio) - 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-0", 0, 0),
        ("bytes=100-199", 100, 199),
        ("bytes=262000-262200", 262000, 262200),  # across the chunk boundary
        ("bytes=300000-", 300000, None),
        ("bytes=-500", -500, None),
        ("bytes=0-99999999", 0, None),  # past the end: cut to the end
    ],
)
def test_a_range_gets_206_with_just_those_bytes(
    studied: Studied, audio: bytes, header: str, first: int, last: int | None
) -> None:
    response = studied.owner.client("en").get(_url(studied), HTTP_RANGE=header)
    size = len(audio)
    start = first % size
    end = size - 1 if last is None else last
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/{size}"
    assert int(response["Content-Length"]) == end - start + 1
    assert _body(response) == audio[start : end + 1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    ["bytes=999999999-", "bytes=500-100", "bytes=-0", "bytes=abc-def", "bytes=-", "bytes=1"],
)
def test_a_bad_range_gets_416_with_the_size(studied: Studied, audio: bytes, header: str) -> None:
    response = studied.owner.client("en").get(_url(studied), HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(audio)}"
    assert not AuditEvent.objects.filter(action="research.recording.listen").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["items=0-5", "bytes=0-5,10-15"])
def test_ranges_it_does_not_serve_get_the_whole_file(
    studied: Studied, audio: bytes, header: str
) -> None:
    response = studied.owner.client("en").get(_url(studied), HTTP_RANGE=header)
    assert response.status_code == 200
    assert _body(response) == audio


@pytest.mark.django_db
def test_head_gives_the_headers_without_the_audio(studied: Studied, audio: bytes) -> None:
    response = studied.owner.client("en").head(_url(studied), HTTP_RANGE="bytes=10-19")
    assert response.status_code == 206
    assert response["Content-Length"] == "10"
    assert _body(response) == b""


@pytest.mark.django_db
def test_only_the_studys_researchers_may_listen(cast: Cast, studied: Studied, audio: bytes) -> None:
    url = _url(studied)
    assert studied.stranger_researcher.client("en").get(url).status_code == 404
    for role in ["counsellor", "coordinator", "administrator", "outsider"]:
        assert cast.members()[role].client().get(url).status_code == 403, role
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/staff/login/")
    for method in ("post", "put", "delete"):
        response = getattr(studied.owner.client("en"), method)(url)
        assert response.status_code == 405, method
    assert not AuditEvent.objects.filter(action="research.recording.listen").exists()


@pytest.mark.django_db
def test_no_recording_is_404(studied: Studied) -> None:
    assert studied.owner.client("en").get(_url(studied)).status_code == 404


@pytest.mark.django_db
def test_a_recording_stored_whole_before_chunking_still_plays(studied: Studied) -> None:
    data = tone_wav(1.0)
    recording = Recording(
        interview=studied.interview, size_bytes=len(data), duration_s=1.0, channels=1
    )
    recording.file.save("recording.enc", ContentFile(crypto.encrypt_bytes(data)), save=False)
    recording.save()
    response = studied.owner.client("en").get(_url(studied), HTTP_RANGE="bytes=44-143")
    assert response.status_code == 206
    assert _body(response) == data[44:144]


def test_chunked_files_read_back_in_any_range(
    settings: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recordings, "CHUNK_BYTES", 1000)
    rng = random.Random(4)
    for size in (0, 1, 999, 1000, 1001, 5432):
        clear = rng.randbytes(size)
        stored = io.BytesIO()
        assert recordings.encrypt_to(io.BytesIO(clear), stored) == size
        stored.seek(0)
        reader = recordings.open_clear(stored)
        assert reader.size == size
        assert b"".join(reader.read()) == clear
        for _ in range(30):
            start = rng.randrange(0, size + 2)
            end = rng.randrange(start, size + 1500)
            assert b"".join(reader.read(start, end)) == clear[start : end + 1]


def test_a_damaged_or_reordered_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recordings, "CHUNK_BYTES", 100)
    stored = io.BytesIO()
    recordings.encrypt_to(io.BytesIO(bytes(range(250))), stored)
    raw = stored.getvalue()
    head = len(recordings.MAGIC) + 12
    full = recordings.token_length(9 + 100) + 4  # a full chunk's length prefix and token
    first, second, rest = (
        raw[head : head + full],
        raw[head + full : head + 2 * full],
        raw[head + 2 * full :],
    )
    swapped = raw[:head] + second + first + rest
    for bad in (swapped, raw[: head + full + 10]):
        reader = recordings.open_clear(io.BytesIO(bad))
        with pytest.raises(recordings.RecordingUnreadable):
            b"".join(reader.read())


@pytest.mark.django_db
def test_the_pages_show_a_player_and_turns_to_play_from(studied: Studied, audio: bytes) -> None:
    add_transcript(studied.interview, [("interviewer", "Hei."), ("participant", "Hei igjen.")])
    client = studied.owner.client("en")
    src = f'src="{_url(studied)}"'
    for name in ("interview", "transcript", "transcript_read"):
        page = client.get(reverse(f"research:{name}", args=[studied.interview.pk])).content.decode()
        assert "<audio" in page and src in page, name
    editor = client.get(
        reverse("research:transcript", args=[studied.interview.pk])
    ).content.decode()
    assert 'data-play-from="10.00"' in editor
    assert "research/research.js" in editor


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "speed"),
    [("en", "Speed %s\u00d7"), ("nb", "Fart %s\u00d7"), ("zh-hans", "速度 %s\u00d7")],
)
def test_the_players_speed_label_is_translated(
    studied: Studied, audio: bytes, language: str, speed: str
) -> None:
    """The speed button's label, once played at another speed, is in the page's language."""
    add_transcript(studied.interview, [("interviewer", "Hei."), ("participant", "Hei igjen.")])
    page = studied.owner.client(language).get(
        reverse("research:transcript_read", args=[studied.interview.pk])
    )
    assert f'data-speed="{speed}"' in page.content.decode()
