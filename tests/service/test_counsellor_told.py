"""The counsellor hears when a case leaves them: the seeker deleted it, or it was moved."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from kollega.service import actions
from kollega.service.models import CounsellorProfile
from tests.cast import Cast
from tests.service.conftest import Seeker

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@override_settings(TASKS=IMMEDIATE)
def test_the_counsellor_is_told_the_seeker_deleted_their_data_without_naming_the_case(
    accepted: Seeker, cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    reference = accepted.case.reference
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_delete_case_data(accepted.case, deleted_by="seeker")
    assert [m.to for m in mail.outbox] == [[cast.counsellor.user.email]]
    sent = mail.outbox[0]
    assert "slettet forespørselen sin" in str(sent.subject)
    assert reference not in f"{sent.subject} {sent.body}"
    assert "Jeg sover" not in sent.body


def test_the_queued_notice_holds_no_case(
    accepted: Seeker, cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    if os.environ.get("REDIS_URL"):
        pytest.skip("reads the database queue's rows; with Redis the queue is RQ's")
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_delete_case_data(accepted.case, deleted_by="seeker")
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["kwargs"] == {
        "kind": "deleted",
        "case_id": None,
        "counsellor_id": CounsellorProfile.objects.get(user=cast.counsellor.user).pk,
    }


@override_settings(TASKS=IMMEDIATE)
def test_retention_of_an_ended_case_tells_nobody(
    accepted: Seeker, cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    actions.do_close_case(cast.counsellor.user, accepted.case, outcome="helped")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_delete_case_data(accepted.case, deleted_by="retention")
    assert mail.outbox == []
