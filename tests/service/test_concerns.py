"""Concerns raised by someone else: routed to a counsellor of the doctor's county with
conflicts respected, taken up and concluded, followed by the sender without revealing what
came of it, and deleted by retention."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from kollega.core.models import AuditEvent
from kollega.core.redact import redact
from kollega.service import actions
from kollega.service.models import (
    Case,
    Concern,
    ConcernStatistic,
    ConcernStatus,
    CounsellorProfile,
    IllegalTransition,
)
from kollega.service.tasks import retention
from tests.cast import Cast
from tests.service.test_retention import CANARY, canary_places

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
FORM = {
    "relation": "colleague",
    "doctor_name": "Dr. Anne Lid",
    "region": "vestland",
    "workplace": "Bergen legevakt",
    "worry": "Hun virker utslitt og har sluttet å spise lunsj med oss.",
    "approach": "Helst på telefon, ikke på jobb.",
    "sender_name": "Per",
    "sender_contact": "per@example.invalid",
}


def raise_concern(**fields: Any) -> actions.Raised:
    values = dict(FORM.items())
    values.update(fields)
    return actions.do_raise_concern(language="nb", **values)


def test_it_proposes_a_concern_to_a_counsellor_of_the_doctors_county(
    cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    raised = raise_concern()
    concern = raised.concern
    assert concern.status == ConcernStatus.PROPOSED
    # Tor works in Vestland; Ingrid in Oslo.
    assert concern.counsellor == profiles[1]
    assert concern.reference.startswith("B-")
    assert Concern.objects.by_token(raised.token) == concern
    assert concern.token_hash != raised.token


def test_it_never_proposes_a_counsellor_from_the_doctors_workplace(
    cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    concern = raise_concern(workplace="Helse Vestkyst HF").concern
    assert concern.counsellor == profiles[0]


@override_settings(TASKS=IMMEDIATE)
def test_the_counsellor_is_told_by_an_e_mail_that_names_nobody(
    cast: Cast,
    profiles: tuple[CounsellorProfile, CounsellorProfile],
    django_capture_on_commit_callbacks: Any,
) -> None:
    cast.other_counsellor.user.email = "tor@example.invalid"
    cast.other_counsellor.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        concern = raise_concern().concern
    (sent,) = mail.outbox
    assert sent.to == ["tor@example.invalid"]
    text = f"{sent.subject} {sent.body}"
    for private in ("Anne Lid", "Bergen legevakt", "utslitt", "Per", concern.reference):
        assert private not in text


def test_a_concern_no_one_can_take_waits_for_a_coordinator(cast: Cast) -> None:
    concern = raise_concern().concern
    assert concern.status == ConcernStatus.NEW
    assert concern.counsellor is None


def test_the_state_machine_refuses_illegal_moves(
    cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    concern = raise_concern().concern
    with pytest.raises(IllegalTransition):
        concern.set_status(ConcernStatus.DONE, actor=cast.coordinator.user)
    actions.do_take_up_concern(cast.other_counsellor.user, concern)
    actions.do_conclude_concern(cast.other_counsellor.user, concern, outcome="declined")
    for new in ConcernStatus.values:
        with pytest.raises(IllegalTransition):
            concern.set_status(new, actor=cast.coordinator.user)
    assert [c.new for c in concern.changes.all()] == ["proposed", "taken", "done"]
    assert concern.ended_at is not None


def test_a_declined_concern_goes_to_the_next_counsellor_and_never_back(
    cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    concern = raise_concern().concern
    actions.do_decline_concern(cast.other_counsellor.user, concern, reason="conflict")
    concern.refresh_from_db()
    assert concern.counsellor == profiles[0]
    assert concern.status == ConcernStatus.PROPOSED
    actions.do_decline_concern(cast.counsellor.user, concern, reason="conflict")
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.NEW
    assert concern.counsellor is None


def test_the_sender_can_send_the_form_on_a_phone_in_every_language(db: None) -> None:
    for language in ("nb", "en", "zh-hans"):
        client = Client()
        client.cookies["django_language"] = language
        page = client.get(reverse("service:concern_new"))
        assert page.status_code == 200
        response = client.post(reverse("service:concern_new"), FORM)
        assert response.status_code == 302
        assert client.get(response["Location"]).status_code == 200
    assert {c.language for c in Concern.objects.all()} == {"nb", "en", "zh-hans"}


def test_a_concern_without_what_worries_is_refused_and_nothing_is_stored(db: None) -> None:
    response = Client().post(reverse("service:concern_new"), FORM | {"worry": ""})
    assert response.status_code == 400
    assert "Hva er du bekymret for?" in response.content.decode()
    assert not Concern.objects.exists()


def test_the_front_page_and_the_intake_link_to_the_concern_form(db: None) -> None:
    url = reverse("service:concern_new")
    assert url in Client().get("/").content.decode()
    assert url in Client().get(reverse("service:intake")).content.decode()


def test_the_sender_status_page_shows_nothing_of_the_doctors_reply(
    cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    raised = raise_concern()
    url = reverse("service:concern_status", args=[raised.token])
    before = Client().get(url).content.decode()
    assert "venter på en støttekollega" in before
    counsellor = cast.other_counsellor.client()
    pk = raised.concern.pk
    assert counsellor.post(reverse("service:concern_take", args=[pk])).status_code == 302
    note = "Han avviste kontakt og var sint"
    response = counsellor.post(
        reverse("service:concern_conclude", args=[pk]), {"outcome": "declined", "note": note}
    )
    assert response.status_code == 302
    pages = {}
    for outcome in ("declined", "accepted"):
        page = Client().get(url).content.decode()
        # The page's form token differs on each load; everything else must not.
        pages[outcome] = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)
        assert note not in page
        assert "takket nei" not in page
        assert "takket ja" not in page
        assert "Dr. Anne Lid" not in page
        assert "Hun virker utslitt" not in page
        Concern.objects.filter(pk=pk).update(outcome="accepted")
    # Whatever the doctor answered, the sender reads the same page.
    assert pages["declined"] == pages["accepted"]
    assert AuditEvent.objects.filter(action="service.concern.conclude").exists()


def test_a_proposed_counsellor_sees_no_names_until_taking_it_up(
    cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    concern = raise_concern().concern
    client = cast.other_counsellor.client()
    page = client.get(reverse("service:concern", args=[concern.pk])).content.decode()
    assert "Bergen legevakt" in page
    assert "Dr. Anne Lid" not in page
    assert "per@example.invalid" not in page
    client.post(reverse("service:concern_take", args=[concern.pk]))
    page = client.get(reverse("service:concern", args=[concern.pk])).content.decode()
    assert "Dr. Anne Lid" in page
    assert "per@example.invalid" in page
    # Coordinators route it; they read neither names nor texts.
    routed = cast.coordinator.client().get(reverse("service:concern", args=[concern.pk]))
    assert "Dr. Anne Lid" not in routed.content.decode()


def test_the_coordinator_assigns_and_moves_a_concern(
    cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    concern = raise_concern(region="oslo", workplace="").concern
    assert concern.counsellor == profiles[0]
    client = cast.coordinator.client()
    assert client.get(reverse("service:concerns")).status_code == 200
    response = client.post(
        reverse("service:concern_assign", args=[concern.pk]), {"counsellor": profiles[1].pk}
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.counsellor == profiles[1]
    assert concern.status == ConcernStatus.PROPOSED
    # The counsellor it was moved from no longer opens it.
    old = cast.counsellor.client().get(reverse("service:concern", args=[concern.pk]))
    assert old.status_code == 404
    response = client.post(reverse("service:concern_withdraw", args=[concern.pk]), {"reason": ""})
    assert response.status_code == 400
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.PROPOSED


def test_a_wrong_outcome_is_refused_and_nothing_changes(
    cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    concern = raise_concern().concern
    client = cast.other_counsellor.client()
    client.post(reverse("service:concern_take", args=[concern.pk]))
    response = client.post(reverse("service:concern_conclude", args=[concern.pk]), {"outcome": "x"})
    assert response.status_code == 400
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.TAKEN


STAFF_URLS = [
    ("get", "service:concerns", False),
    ("get", "service:concern", True),
    ("post", "service:concern_assign", True),
    ("post", "service:concern_withdraw", True),
    ("post", "service:concern_take", True),
    ("post", "service:concern_decline", True),
    ("post", "service:concern_conclude", True),
]


def test_strangers_are_sent_to_sign_in_and_other_roles_refused(
    cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    concern = raise_concern().concern
    for method, name, with_pk in STAFF_URLS:
        url = reverse(name, args=[concern.pk] if with_pk else [])
        stranger = getattr(Client(), method)(url)
        assert stranger.status_code == 302
        assert "/staff/login/" in stranger["Location"]
        for member in (cast.researcher, cast.outsider):
            assert getattr(member.client(), method)(url).status_code == 403, (name, member)
    # A counsellor the concern is not with is told it does not exist.
    for name in ("service:concern", "service:concern_take", "service:concern_conclude"):
        url = reverse(name, args=[concern.pk])
        method = "get" if name == "service:concern" else "post"
        assert getattr(cast.counsellor.client(), method)(url).status_code == 404
    # Counsellors do not assign; coordinators do not take up.
    assign = reverse("service:concern_assign", args=[concern.pk])
    assert cast.other_counsellor.client().post(assign).status_code == 403
    take = reverse("service:concern_take", args=[concern.pk])
    assert cast.coordinator.client().post(take).status_code == 403
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.PROPOSED


def test_it_refuses_the_wrong_method(
    cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    raised = raise_concern()
    pk = raised.concern.pk
    coordinator = cast.coordinator.client()
    assert coordinator.post(reverse("service:concerns")).status_code == 405
    assert coordinator.post(reverse("service:concern", args=[pk])).status_code == 405
    assert coordinator.get(reverse("service:concern_assign", args=[pk])).status_code == 405
    assert coordinator.get(reverse("service:concern_withdraw", args=[pk])).status_code == 405
    counsellor = cast.other_counsellor.client()
    for name in ("service:concern_take", "service:concern_decline", "service:concern_conclude"):
        assert counsellor.get(reverse(name, args=[pk])).status_code == 405
    status = reverse("service:concern_status", args=[raised.token])
    assert Client().post(status).status_code == 405
    assert Client().put(reverse("service:concern_new")).status_code == 405


def test_the_senders_token_never_reaches_a_log_line(db: None) -> None:
    raised = raise_concern()
    line = redact(f"GET /concern/status/{raised.token}/?new=1 200")
    assert raised.token not in line
    assert line == "GET /concern/status/[redacted]/?new=1 200"


def test_a_wrong_status_link_is_not_found(db: None) -> None:
    assert Client().get(reverse("service:concern_status", args=["nope"])).status_code == 404


def test_nothing_links_a_concern_to_a_later_case_of_the_doctor(
    cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    concern = raise_concern().concern
    case = actions.do_submit_request(
        category="coping", description="Jeg er sliten.", contact_name="Anne Lid"
    ).case
    assert not [f for f in Case._meta.get_fields() if getattr(f, "related_model", None) is Concern]
    assert not [f for f in Concern._meta.get_fields() if getattr(f, "related_model", None) is Case]
    assert concern.pk and case.pk


def test_retention_deletes_concerns_and_their_texts(
    cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    text = f"{CANARY} tekst"
    concern = raise_concern(
        doctor_name=text,
        workplace="",
        worry=text,
        approach=text,
        sender_name=text,
        sender_contact=text,
    ).concern
    # The canary as a name matches no declared conflict, so the concern went to Tor.
    assert concern.counsellor == profiles[1]
    actions.do_take_up_concern(cast.other_counsellor.user, concern)
    actions.do_conclude_concern(
        cast.other_counsellor.user, concern, outcome="not_contacted", note=text
    )
    open_one = raise_concern(worry=text).concern
    assert canary_places()
    with freeze_time(timezone.now() + datetime.timedelta(days=400)):
        assert retention.call() >= 1
    assert not Concern.objects.filter(pk=concern.pk).exists()
    # An open concern is kept, whatever its age.
    assert Concern.objects.filter(pk=open_one.pk).exists()
    open_one.delete()
    assert canary_places() == []
    stat = ConcernStatistic.objects.get()
    assert (stat.region, stat.relation, stat.outcome) == ("vestland", "colleague", "not_contacted")
