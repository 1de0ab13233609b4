"""One test (or a few) per defect found by probing the demo (issue 9, "Found").

Each failed before its fix; together they keep what docs/privacy.md promises true.
"""

from __future__ import annotations

import io
import json
import os
import re
import smtplib
import stat
import subprocess
import sys
import time
import tracemalloc
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kollega.core.models import AuditEvent
from kollega.core.schedule import periodic_tasks
from kollega.core.tasks import prune_task_results
from kollega.service import access, actions
from kollega.service.tasks import send_notice
from tests.cast import Cast
from tests.research.conftest import Studied
from tests.service.conftest import Seeker, submit

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
ADMIN = f"/{settings.ADMIN_PATH}"
REPO = Path(__file__).resolve().parents[2]
EMAIL = "canary.seeker.4711@example.invalid"


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO())


def seeker_with_email(**fields: Any) -> Seeker:
    return submit(contact_method="email", contact_email=EMAIL, **fields)


# --- High: the task queue holds ids, never personal data ------------------------------------


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS, KOLLEGA_COORDINATOR_EMAILS=["kari@example.invalid"])
def test_queued_notices_carry_ids_and_no_address_or_reference(cast: Cast) -> None:
    from tests.service.conftest import make_profile

    cast.counsellor.user.email = "ingrid@example.invalid"
    cast.counsellor.user.save()
    seeker = seeker_with_email(urgent=True)
    actions.do_assign_counsellor(cast.coordinator.user, seeker.case, make_profile(cast.counsellor))
    actions.do_accept_case(cast.counsellor.user, seeker.case)
    rows = list(DBTaskResult.objects.filter(task_path=send_notice.module_path))
    assert {row.args_kwargs["kwargs"]["kind"] for row in rows} == {
        "urgent",
        "proposed",
        "seeker_news",
    }
    stored = json.dumps([row.args_kwargs for row in rows])
    for secret in (EMAIL, "ingrid@example.invalid", "kari@example.invalid", seeker.case.reference):
        assert secret not in stored
    for row in rows:
        assert row.args_kwargs["args"] == []
        assert set(row.args_kwargs["kwargs"]) == {"kind", "case_id", "counsellor_id"}
    run_worker()
    assert EMAIL in {to for message in mail.outbox for to in message.to}, (
        "the worker looks the seeker's address up and sends"
    )


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_deleting_a_case_removes_its_queued_notices(accepted: Seeker, cast: Cast) -> None:
    # Notices the fixture queued (the counsellor's, when the cast has an address) are not ours.
    DBTaskResult.objects.all().delete()
    other = seeker_with_email()
    accepted.case.contact_method = "email"
    accepted.case.contact_email = EMAIL
    accepted.case.save()
    actions.do_send_message(cast.counsellor.user, accepted.case, body="Hei igjen")
    send_notice.enqueue(kind="seeker_news", case_id=other.case.pk)
    queued = DBTaskResult.objects.filter(task_path=send_notice.module_path, status="READY")
    case_id = accepted.case.pk
    assert queued.filter(args_kwargs__kwargs__case_id=case_id).exists()
    actions.do_delete_case_data(accepted.case, deleted_by="seeker")
    assert not queued.filter(args_kwargs__kwargs__case_id=case_id).exists()
    assert queued.filter(args_kwargs__kwargs__case_id=other.case.pk).count() == 1
    run_worker()
    to_seekers = [m.to for m in mail.outbox if m.to != [cast.counsellor.user.email]]
    assert to_seekers == [[EMAIL]], "only the other seeker's notice is sent"


@pytest.mark.django_db
def test_a_notice_for_a_deleted_case_sends_nothing() -> None:
    from kollega.service.notifications import deliver

    seeker = seeker_with_email()
    case_id = seeker.case.pk
    actions.do_delete_case_data(seeker.case, deleted_by="seeker")
    assert deliver("seeker_news", case_id) == 0
    assert mail.outbox == []


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        recipients = {to: (550, b"no such user") for m in email_messages for to in m.to}
        raise smtplib.SMTPRecipientsRefused(recipients)


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS, EMAIL_BACKEND=f"{__name__}.RefusingBackend")
def test_a_failed_notice_keeps_no_address_in_the_task_row(caplog: Any) -> None:
    seeker = seeker_with_email()
    result = send_notice.enqueue(kind="seeker_news", case_id=seeker.case.pk)
    run_worker()
    result.refresh()
    assert result.status == TaskResultStatus.FAILED
    row = DBTaskResult.objects.get(pk=result.id)
    assert EMAIL not in json.dumps(row.args_kwargs) + row.traceback + str(row.exception_class_path)
    assert "SMTPRecipientsRefused" in row.traceback, "the error still says what went wrong"
    assert EMAIL not in caplog.text


def test_finished_task_results_are_pruned_every_hour() -> None:
    by_name = {p.name: p for p in periodic_tasks()}
    assert by_name["kollega.core.tasks.prune_task_results"].every == timedelta(hours=1)


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS, KOLLEGA_TASK_RESULT_HOURS=24)
def test_pruning_deletes_finished_results_older_than_the_limit_only() -> None:
    seeker = seeker_with_email()
    old, recent, waiting = (
        send_notice.enqueue(kind="seeker_news", case_id=seeker.case.pk) for _ in range(3)
    )
    now = timezone.now()
    DBTaskResult.objects.filter(pk=old.id).update(
        status="SUCCESSFUL", finished_at=now - timedelta(hours=25)
    )
    DBTaskResult.objects.filter(pk=recent.id).update(
        status="FAILED", finished_at=now - timedelta(hours=1)
    )
    assert prune_task_results.call() == 1
    assert not DBTaskResult.objects.filter(pk=old.id).exists()
    assert DBTaskResult.objects.filter(pk__in=[recent.id, waiting.id]).count() == 2


@pytest.mark.django_db(transaction=True)
def test_on_redis_deleting_a_case_removes_its_queued_jobs_and_pruning_works() -> None:
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("REDIS_URL is not set; .ci/run's second pass runs this against Redis")
    from django_rq import get_queue
    from django_tasks_rq import Job
    from rq import SimpleWorker

    from kollega.core.taskqueue import prune_finished

    rq_tasks = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    rq_queues = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 60}}
    with override_settings(TASKS=rq_tasks, RQ_QUEUES=rq_queues):
        queue = get_queue("default", job_class=Job)
        queue.empty()
        doomed, kept = seeker_with_email(), seeker_with_email()
        send_notice.enqueue(kind="seeker_news", case_id=doomed.case.pk)
        send_notice.enqueue(kind="seeker_news", case_id=kept.case.pk)
        jobs = queue.get_jobs()
        assert all(EMAIL not in repr((job.args, job.kwargs)) for job in jobs)
        actions.do_delete_case_data(doomed.case, deleted_by="seeker")
        assert [job.kwargs["case_id"] for job in queue.get_jobs()] == [kept.case.pk]
        SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
        assert [m.to for m in mail.outbox] == [[EMAIL]]
        assert prune_finished(timedelta(0), now=timezone.now() + timedelta(seconds=5)) == 1
        from rq.registry import FinishedJobRegistry

        assert FinishedJobRegistry(queue=queue).get_job_ids() == []


# --- Medium: the status token must not leak in Referer --------------------------------------


def test_no_page_sends_a_referer(seeker: Seeker) -> None:
    response = Client().get(seeker.url())
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"


# --- Medium: coordinators see no profile on the case page -----------------------------------


@pytest.mark.django_db
def test_the_coordinator_case_page_shows_no_profile(cast: Cast, profiles: Any) -> None:
    seeker = submit(gender="female", age_band="40-49", region="nordland")
    actions.do_assign_counsellor(cast.coordinator.user, seeker.case, profiles[0])
    url = reverse("service:case", args=[seeker.case.pk])
    profile_label = seeker.case.get_age_band_display()
    coordinator_page = cast.coordinator.client("en").get(url).content.decode()
    proposed_page = cast.counsellor.client("en").get(url).content.decode()
    assert "Profile" not in coordinator_page
    assert str(profile_label) not in coordinator_page
    assert str(profile_label) not in proposed_page, "not before the counsellor accepts"
    actions.do_accept_case(cast.counsellor.user, seeker.case)
    counsellor_page = cast.counsellor.client("en").get(url).content.decode()
    assert str(profile_label) in counsellor_page, "the counsellor who accepted still sees it"


# --- Medium: the administrator cannot become a staff member ---------------------------------


def test_the_admin_shows_no_totp_secret_or_qr_code(cast: Cast) -> None:
    # Since issue 18 the admin has no second-factor pages at all (see tests/accounts).
    device = cast.counsellor.device
    client = cast.administrator.client()
    for page in ("change/", "config/", "qrcode/"):
        response = client.get(f"{ADMIN}otp_totp/totpdevice/{device.pk}/{page}")
        assert response.status_code == 404
        assert device.key not in response.content.decode()
    assert client.get(f"{ADMIN}otp_totp/totpdevice/").status_code == 404


def test_the_admin_cannot_set_a_password(cast: Cast) -> None:
    user = cast.counsellor.user
    before = user.password
    client = cast.administrator.client()
    password_url = f"{ADMIN}accounts/user/{user.pk}/password/"
    new = {"password1": "a brand new secret 123", "password2": "a brand new secret 123"}
    assert client.get(password_url).status_code == 403
    assert client.post(password_url, new).status_code == 403
    change = client.get(f"{ADMIN}accounts/user/{user.pk}/change/").content.decode()
    assert "password/" not in change
    add = client.post(
        f"{ADMIN}accounts/user/add/",
        {"username": "nyansatt", "password1": new["password1"], "password2": new["password2"]},
    )
    assert add.status_code == 302
    user.refresh_from_db()
    assert user.password == before
    from kollega.accounts.models import User

    assert not User.objects.get(username="nyansatt").has_usable_password()


def test_resetting_sign_in_forces_re_enrolment_and_is_audited(cast: Cast) -> None:
    target = cast.counsellor
    signed_in = target.client()
    assert signed_in.get("/staff/").status_code == 200
    response = cast.administrator.client().post(
        f"{ADMIN}accounts/user/",
        {"action": "reset_sign_in", "_selected_action": [target.user.pk]},
    )
    assert response.status_code == 302
    target.user.refresh_from_db()
    assert not target.user.has_usable_password()
    assert not TOTPDevice.objects.filter(user=target.user).exists()
    assert signed_in.get("/staff/").status_code == 302, "their open sessions end"
    event = AuditEvent.objects.get(action="accounts.reset_sign_in")
    assert event.actor == cast.administrator.user
    assert event.object_id == str(target.user.pk)
    # The person enrols again on the server, with a password only they know.
    out = io.StringIO()
    stdin = sys.stdin
    sys.stdin = io.StringIO("a fresh secret of my own\n")
    try:
        call_command("enrol_staff", target.username, "--password-stdin", stdout=out)
    finally:
        sys.stdin = stdin
    target.user.refresh_from_db()
    assert target.user.check_password("a fresh secret of my own")
    device = TOTPDevice.objects.get(user=target.user)
    assert device.config_url in out.getvalue()


# --- Medium: uploads that expand ------------------------------------------------------------


W_MAIN = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
        "</Relationships>"
    ),
}


def docx_bomb(unpacked_mb: int = 200) -> bytes:
    """A valid .docx of a few hundred kB whose document.xml unpacks to `unpacked_mb` MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in DOCX_PARTS.items():
            archive.writestr(name, text)
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(
                f'<?xml version="1.0"?><w:document xmlns:w="{W_MAIN}"><w:body><w:p><w:r>'
                "<w:t>Intervjuer: ".encode()
            )
            chunk = b"A" * (1024 * 1024)
            for _ in range(unpacked_mb):
                member.write(chunk)
            member.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return buffer.getvalue()


def test_the_bomb_is_a_real_docx() -> None:
    import docx

    small = io.BytesIO()
    with zipfile.ZipFile(small, "w") as archive:
        for name, text in DOCX_PARTS.items():
            archive.writestr(name, text)
        archive.writestr(
            "word/document.xml",
            f'<w:document xmlns:w="{W_MAIN}"><w:body><w:p><w:r><w:t>P01: hei</w:t></w:r></w:p>'
            "</w:body></w:document>",
        )
    small.seek(0)
    assert [p.text for p in docx.Document(small).paragraphs] == ["P01: hei"]


@pytest.mark.django_db
def test_every_upload_path_refuses_a_file_that_expands(studied: Studied) -> None:
    bomb = docx_bomb()
    assert len(bomb) < 1024 * 1024
    client = studied.owner.client("en")
    pk = studied.interview.pk
    uploads = [
        (reverse("research:transcript_import", args=[pk]), "transcript_file", "bomb.docx"),
        (reverse("research:recording_upload", args=[pk]), "audio", "bomb.wav"),
    ]
    for url, field, name in uploads:
        tracemalloc.start()
        try:
            response = client.post(url, {field: SimpleUploadedFile(name, bomb)})
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert response.status_code == 400, url
        assert peak < 64 * 1024 * 1024, f"{url} used {peak / 1e6:.0f} MB"
        page = response.content.decode()
        assert re.search(r"unpacks to more than|not a|cannot be", page), url
    from kollega.research.models import Recording, Transcript

    assert not Transcript.objects.filter(interview=studied.interview).exists()
    assert not Recording.objects.filter(interview=studied.interview).exists()


# --- Low: throttling ------------------------------------------------------------------------

WRONG = "x" * 43


def test_a_valid_status_link_works_however_many_others_missed(seeker: Seeker) -> None:
    shared = Client(REMOTE_ADDR="10.9.9.9")  # a hospital's one address
    for _ in range(access.TOKEN_MISSES_ALLOWED + 3):
        shared.get(reverse("service:status", args=[WRONG]))
    assert shared.get(reverse("service:status", args=[WRONG])).status_code == 429
    assert shared.get(seeker.url()).status_code == 200
    for _ in range(5):
        assert shared.get(seeker.url()).status_code == 200, "valid links are never counted"


@pytest.mark.django_db
def test_throttle_windows_last_their_full_length(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [time.time()]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    client = Client(REMOTE_ADDR="10.8.8.8")
    for _ in range(access.TOKEN_MISSES_ALLOWED):
        clock[0] += 10
        assert client.get(reverse("service:status", args=[WRONG])).status_code == 404
    clock[0] += 301  # past the cache's default 300 s, inside the 15-minute window
    assert client.get(reverse("service:status", args=[WRONG])).status_code == 429
    clock[0] += access.TOKEN_WINDOW_SECONDS
    assert client.get(reverse("service:status", args=[WRONG])).status_code == 404

    intake = Client(REMOTE_ADDR="10.8.8.9")
    request = type("R", (), {"META": {"REMOTE_ADDR": "10.8.8.9"}})()
    for _ in range(access.INTAKE_PER_HOUR):
        access.count_intake(request)  # type: ignore[arg-type]
        clock[0] += 60
    clock[0] += 30 * 60
    assert not access.intake_allowed(request), "5 per hour, not per 5 minutes"  # type: ignore[arg-type]
    assert intake.post(reverse("service:intake"), {}).status_code == 429
    clock[0] += 60 * 60
    assert access.intake_allowed(request)  # type: ignore[arg-type]


# --- Low: private files, admin filters, the dpkg lock ---------------------------------------

PROBE = """
import os, sys
import django
django.setup()
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE probe (x text)")
    cursor.execute("INSERT INTO probe VALUES ('x')")
    name = default_storage.save("research/recordings/probe.enc", ContentFile(b"x"))
    var = os.environ["KOLLEGA_VAR_DIR"]
    for path in ["kollega.sqlite3", "kollega.sqlite3-wal", "kollega.sqlite3-shm", "files/" + name,
                 "files/research/recordings", "files", "."]:
        full = os.path.join(var, path)
        print(path, oct(os.stat(full).st_mode & 0o777) if os.path.exists(full) else "missing")
"""


def test_var_files_are_private(tmp_path: Path) -> None:
    var = tmp_path / "var"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kollega.settings",
        "KOLLEGA_VAR_DIR": str(var),
        "PYTHONPATH": str(REPO / "src"),
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        preexec_fn=lambda: os.umask(0o022),  # the usual umask of a shell
    ).stdout
    modes = dict(line.split() for line in out.splitlines())
    assert "missing" not in modes.values(), modes
    for path, mode in modes.items():
        assert int(mode, 8) & 0o077 == 0, f"{path} is {mode}"


def test_an_old_world_readable_database_is_made_private(tmp_path: Path) -> None:
    from django.db.backends.signals import connection_created

    from kollega.core.apps import make_sqlite_files_private

    database = tmp_path / "old.sqlite3"
    database.write_bytes(b"")
    database.chmod(0o644)
    fake = type("C", (), {"vendor": "sqlite", "settings_dict": {"NAME": str(database)}})()
    make_sqlite_files_private(connection_created, fake)
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "core/auditevent/?details__contains=x",
        "core/auditevent/?details__contained_by=x",
        "django_tasks_database/dbtaskresult/?args_kwargs__contains=x",
        "django_tasks_database/dbtaskresult/?return_value__contains=x",
    ],
)
def test_admin_json_filters_never_answer_500(cast: Cast, url: str) -> None:
    response = cast.administrator.client().get(ADMIN + url)
    assert response.status_code in {200, 400}, response.status_code


def test_every_apt_get_waits_for_the_dpkg_lock() -> None:
    calls = []
    for path in [REPO / "Makefile", *sorted((REPO / ".ci").glob("*"))]:
        for line in path.read_text().splitlines():
            if re.search(r"\bapt-get\b", line) and not line.lstrip().startswith("#"):
                calls.append((path.name, line.strip()))
    assert calls, "the Makefile installs Debian packages with apt-get"
    for name, line in calls:
        assert "DPkg::Lock::Timeout=" in line, f"{name}: {line}"
