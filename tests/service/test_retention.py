"""Deleting must be verifiable: a canary typed everywhere is gone, the statistics row stays."""

from __future__ import annotations

import datetime
from io import StringIO
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from kollega.core.fields import EncryptedTextField
from kollega.service import actions
from kollega.service.models import Case, CaseStatistic, Feedback, Offering, Status
from tests.cast import Cast
from tests.service.conftest import Seeker, submit

CANARY = "KANARIFUGL-7f3a"


def canary_places() -> list[str]:
    """Every place the canary still stands: decrypted model fields, raw tables, stored files."""
    found = []
    for model in apps.get_models():
        text_fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, EncryptedTextField)
            or f.get_internal_type() in {"TextField", "CharField", "JSONField"}
        ]
        if not model._meta.managed:
            continue  # no table of its own (django_rq's dashboard on the Redis pass)
        for row in model._base_manager.all():
            for field in text_fields:
                if CANARY in str(getattr(row, field.attname)):
                    found.append(f"{model._meta.label}.{field.name}")
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from introspection
            for row in cursor.fetchall():
                if any(CANARY in str(value) for value in row):
                    found.append(f"table {table}")
    media = Path(settings.MEDIA_ROOT)
    if media.exists():
        for path in media.rglob("*"):
            if path.is_file() and CANARY.encode() in path.read_bytes():
                found.append(str(path))
    return found


def full_case(cast: Cast, profiles) -> Seeker:
    """A request that went through everything, with the canary in every free-text field."""
    text = f"{CANARY} tekst"
    seeker = submit(
        description=text,
        avoid_employers=text,
        avoid_people=text,
        contact_method="email",
        contact_name=text,
        contact_email=f"{CANARY}@example.invalid",
        contact_phone=text,
        region="oslo",
        gender="female",
        age_band="40_49",
    )
    offering = actions.do_save_offering(
        "test",
        Offering(
            kind="day",
            title="Dag",
            place="Modum",
            starts=timezone.now() + datetime.timedelta(days=5),
            ends=timezone.now() + datetime.timedelta(days=5, hours=6),
            capacity=2,
        ),
    )
    user = cast.counsellor.user
    actions.do_assign_counsellor(
        cast.coordinator.user, seeker.case, profiles[0], override_reason=text
    )
    actions.do_accept_case(user, seeker.case)
    actions.do_send_message("seeker", seeker.case, body=text)
    actions.do_send_message(user, seeker.case, body=text)
    actions.do_plan_appointment(
        user,
        seeker.case,
        starts=timezone.now() + datetime.timedelta(days=1),
        minutes=60,
        mode="video",
        where=text,
    )
    for _ in range(2):
        actions.do_log_conversation(
            user, seeker.case, held_on=timezone.localdate(), mode="phone", minutes=45, note=text
        )
    actions.do_grant_conversations(cast.coordinator.user, seeker.case, extra=1, reason=text)
    actions.do_record_referral(
        user, seeker.case, kind="course", consent=True, offering=offering, note=text
    )
    actions.do_close_case(user, seeker.case, outcome="referred")
    actions.do_submit_feedback(seeker.case, helpfulness=5, would_recommend=True, comment=text)
    return seeker


def test_the_canary_is_readable_before_and_gone_after_retention(cast: Cast, profiles) -> None:
    seeker = full_case(cast, profiles)
    before = canary_places()
    assert "service.Case.description" in before
    assert "service.Message.body" in before
    assert "service.Feedback.comment" in before
    assert not [p for p in before if p.startswith("table ")], "clear text reached the database"

    with freeze_time(timezone.now() + datetime.timedelta(days=settings.KOLLEGA_RETENTION_DAYS + 1)):
        assert actions.run_retention() == 1

    assert canary_places() == []
    assert not Case.objects.exists()
    stat = CaseStatistic.objects.get()
    assert (stat.category, stat.region, stat.gender, stat.age_band) == (
        "coping",
        "oslo",
        "female",
        "40_49",
    )
    assert (stat.final_status, stat.outcome, stat.conversations) == (Status.CLOSED, "referred", 2)
    assert stat.waiting_days == 0
    assert stat.referrals == ["course"]
    assert stat.deleted_by == "retention"
    feedback = Feedback.objects.get()
    assert (feedback.helpfulness, feedback.case) == (5, None)
    assert Client().get(seeker.url()).status_code == 404


def test_delete_my_data_now_leaves_no_canary(cast: Cast, profiles) -> None:
    seeker = full_case(cast, profiles)
    Client().post(seeker.url("service:status_delete"), {"confirm": "on"})
    assert canary_places() == []
    assert CaseStatistic.objects.get().deleted_by == "seeker"


def test_retention_keeps_open_and_recent_cases(seeker: Seeker) -> None:
    ended = submit()
    actions.do_cancel_request(ended.case)
    assert actions.run_retention() == 0
    with freeze_time(timezone.now() + datetime.timedelta(days=settings.KOLLEGA_RETENTION_DAYS + 1)):
        assert actions.run_retention() == 1
    assert list(Case.objects.all()) == [seeker.case]


def test_the_command_runs_retention(seeker: Seeker) -> None:
    actions.do_cancel_request(seeker.case)
    Case.objects.filter(pk=seeker.case.pk).update(
        ended_at=timezone.now() - datetime.timedelta(days=400)
    )
    out = StringIO()
    call_command("run_retention", stdout=out)
    assert "1 case" in out.getvalue()
    assert not Case.objects.exists()


def test_the_task_runs_retention(seeker: Seeker) -> None:
    from kollega.service.tasks import retention

    actions.do_withdraw_case("test", seeker.case, reason="dobbel")
    Case.objects.filter(pk=seeker.case.pk).update(
        ended_at=timezone.now() - datetime.timedelta(days=400)
    )
    assert retention.call() == 1
