"""Uploading recordings: checked, encrypted, replaced and deleted."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings
from django.urls import reverse

from kollega.core import crypto
from kollega.research.actions import recording_bytes
from kollega.research.models import Recording
from tests.research.conftest import Studied, tone_wav, upload


def _post(studied: Studied, data: bytes, name: str = "interview.wav") -> object:
    return studied.owner.client("en").post(
        reverse("research:recording_upload", args=[studied.interview.pk]),
        {"audio": upload(data, name)},
    )


@pytest.mark.django_db
def test_a_recording_is_stored_encrypted_and_reads_back(studied: Studied) -> None:
    data = tone_wav(2.0)
    response = _post(studied, data)
    assert response.status_code == 302  # type: ignore[attr-defined]
    recording = Recording.objects.get()
    assert recording.channels == 1
    assert recording.duration_s == pytest.approx(2.0, abs=0.05)
    with default_storage.open(recording.file.name, "rb") as handle:
        stored = handle.read()
    # Fernet tokens in chunks (base64 text), holding no stretch of the clear audio.
    assert stored.startswith(b"KOLLEGA-AUDIO-1\n") and b"gAAAAA" in stored
    assert data[:44] not in stored and data[5000:5064] not in stored
    assert "interview" not in recording.file.name  # the original name is not kept
    assert recording_bytes(recording) == data
    page = studied.owner.client("en").get(
        reverse("research:interview", args=[studied.interview.pk])
    )
    assert ": 0:02 long, " in page.content.decode()
    assert "stored encrypted." in page.content.decode()


@pytest.mark.django_db
def test_a_two_channel_recording_is_noted(studied: Studied) -> None:
    _post(studied, tone_wav(1.0, channels=2))
    assert Recording.objects.get().channels == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"this is a text file, not audio", "cannot be used"),
        (tone_wav(2.0)[:20000], "truncated"),
        (b"", "empty"),
    ],
)
def test_bad_audio_is_refused_and_nothing_is_stored(
    studied: Studied, data: bytes, message: str
) -> None:
    before = _stored_files()
    response = _post(studied, data)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert message in response.content.decode()  # type: ignore[attr-defined]
    assert not Recording.objects.exists()
    assert _stored_files() == before


def _stored_files() -> set[str]:
    if not default_storage.exists("research/recordings"):
        return set()
    return set(default_storage.listdir("research/recordings")[1])


@pytest.mark.django_db
def test_limits_are_enforced(studied: Studied) -> None:
    with override_settings(KOLLEGA_MAX_RECORDING_MB=1):
        response = _post(studied, tone_wav(40.0))  # about 1.3 MB
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "larger than the limit of 1 MB" in response.content.decode()  # type: ignore[attr-defined]
    with override_settings(KOLLEGA_MAX_RECORDING_MINUTES=1):
        response = _post(studied, tone_wav(61.0))
    assert "more than the limit of 1 min" in response.content.decode()  # type: ignore[attr-defined]
    assert not Recording.objects.exists()


@pytest.mark.django_db
def test_a_new_upload_replaces_the_old_file(
    studied: Studied, django_capture_on_commit_callbacks: object
) -> None:
    _post(studied, tone_wav(1.0))
    first = Recording.objects.get().file.name
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        _post(studied, tone_wav(3.0))
    second = Recording.objects.get()
    assert second.duration_s == pytest.approx(3.0, abs=0.05)
    assert not default_storage.exists(first)
    assert default_storage.exists(second.file.name)


@pytest.mark.django_db
def test_deleting_the_recording_deletes_the_file(
    studied: Studied, django_capture_on_commit_callbacks: object
) -> None:
    _post(studied, tone_wav(1.0))
    name = Recording.objects.get().file.name
    url = reverse("research:recording_delete", args=[studied.interview.pk])
    client = studied.owner.client("en")
    assert client.post(url, {}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        client.post(url, {"confirm": "on"})
    assert not Recording.objects.exists()
    assert not default_storage.exists(name)


@pytest.mark.django_db
def test_key_rotation_re_encrypts_recordings(
    studied: Studied, django_capture_on_commit_callbacks: object
) -> None:
    from django.core.management import call_command

    from tests.settings import TEST_DATA_KEYS

    data = tone_wav(1.0)
    _post(studied, data)
    old_name = Recording.objects.get().file.name
    new_key = "Wk1m6n2m0pG7y3wz8s0pXc7m9v4qf3gWc1o2b5d8e0k="
    with (
        override_settings(KOLLEGA_DATA_KEYS=[new_key, *TEST_DATA_KEYS]),
        django_capture_on_commit_callbacks(execute=True),  # type: ignore[operator]
    ):
        call_command("rotate_data_keys", stdout=io.StringIO())
    with override_settings(KOLLEGA_DATA_KEYS=[new_key]):
        recording = Recording.objects.get()
        assert recording_bytes(recording) == data
    assert not default_storage.exists(old_name)
    with pytest.raises(crypto.DecryptionError):
        recording_bytes(recording)  # the old keys alone no longer read it
