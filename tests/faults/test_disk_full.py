"""The disk fills up in the middle of storing an upload: a clear message, no orphaned file."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.test import override_settings
from django.urls import reverse

from kollega.research import actions as research
from kollega.research.models import Recording
from tests.cast import Cast
from tests.faults.conftest import files_under
from tests.research.conftest import tone_wav, upload

FULL_DISK = {
    "default": {"BACKEND": "tests.faults.conftest.FullDiskStorage"},
    "staticfiles": settings.STORAGES["staticfiles"],
}


def _interview(cast: Cast) -> object:
    owner = cast.researcher.user
    study = research.do_create_study(owner, title="Disk study", aims="", language="nb")
    participant = research.do_add_participant(owner, study, pseudonym="P01")
    return research.do_create_interview(
        owner, participant, kind="first", scheduled_on=None, language="nb"
    )


@pytest.mark.django_db
def test_a_recording_upload_on_a_full_disk_is_refused_and_leaves_no_file(cast: Cast) -> None:
    interview = _interview(cast)
    media = Path(settings.MEDIA_ROOT)
    before = files_under(media)
    audio = tone_wav(3.0)  # encrypted, well over the 64 KiB the full disk takes
    with override_settings(STORAGES=FULL_DISK):
        response = cast.researcher.client("en").post(
            reverse("research:recording_upload", args=[interview.pk]),  # type: ignore[attr-defined]
            {"audio": upload(audio)},
        )
    assert response.status_code == 400
    assert "disk is full" in response.content.decode()
    assert not Recording.objects.exists()
    assert files_under(media) == before


@pytest.mark.django_db
def test_a_full_disk_while_receiving_an_upload_gets_a_clear_page(
    cast: Cast, tmp_path: Path
) -> None:
    interview = _interview(cast)
    temp = tmp_path / "uploads"
    temp.mkdir()
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    client = cast.researcher.client("en")
    client.raise_request_exception = False
    # Large uploads go to a temporary file first; the disk fills while it is written.
    with (
        override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=0, FILE_UPLOAD_TEMP_DIR=str(temp)),
        mock.patch.object(TemporaryUploadedFile, "write", side_effect=full),
    ):
        response = client.post(
            reverse("research:recording_upload", args=[interview.pk]),  # type: ignore[attr-defined]
            {"audio": upload(tone_wav(1.0))},
        )
    assert response.status_code == 503
    assert "no room" in response.content.decode()
    assert not Recording.objects.exists()
    assert files_under(temp) == set()
