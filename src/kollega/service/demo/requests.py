"""The demo's requests in every state, a concern, and a coordinator's day."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from kollega.core.audit import DEMO as SYSTEM
from kollega.core.audit import SEEKER
from kollega.service import actions, choices
from kollega.service.demo.places import REFERRAL_FOR_SEEKER
from kollega.service.models import (
    Case,
    CaseStatistic,
    Concern,
    CounsellorProfile,
    Offering,
    Status,
)

DESCRIPTIONS = [
    "Jeg har hatt mange nattevakter og merker at jeg ikke sover lenger.",
    "A complaint from a patient's family has kept me awake for weeks.",
    "Konflikt med en overordnet; usikker på om jeg skal bytte jobb.",
    "Sykmeldt i tre måneder og vet ikke hvordan jeg skal komme tilbake.",
    "",
    "I would like to talk to someone who knows what a GP list feels like.",
    "",
]


NOTES = ["Godt første møte; avtalt ny samtale.", "Drøftet arbeidsbelastning og søvn.", ""]


# How many requests end in each state; the walk below takes each one there.
PLAN = [
    (Status.NEW, 10),
    (Status.DECLINED, 4),
    (Status.PROPOSED, 7),
    (Status.ACCEPTED, 8),
    (Status.IN_CONVERSATION, 10),
    (Status.REFERRED, 6),
    (Status.CLOSED, 12),
    (Status.CANCELLED, 4),
    (Status.WITHDRAWN, 3),
]


def make_request(rng: random.Random, now: Any, age_days: int, offerings: list[Offering]) -> Case:
    category = rng.choice(list(choices.Category.values))
    fields: dict[str, Any] = {
        "category": category,
        "urgent": rng.random() < 0.08,
        "description": rng.choice(DESCRIPTIONS),
        "expectations": rng.sample(list(choices.Expectation.values), rng.randint(1, 3)),
        "pref_gender": rng.choice(["", "", "female", "male"]),
        "pref_meeting": rng.choice(["", "remote", "region"]),
        "pref_language": rng.choice(["", "", "", "nb", "en"]),
        "gender": rng.choice(["", "female", "male", "female"]),
        "age_band": rng.choice([*choices.AgeBand.values, ""]),
        "specialty": rng.choice([*choices.Specialty.values, "", ""]),
        "position": rng.choice([*choices.Position.values, ""]),
        "region": rng.choice([c for c in choices.Region.values if c != "abroad"] + [""]),
        "contact_method": rng.choice(["none", "email", "phone"]),
        "research_consent": rng.random() < 0.4,
        "source": rng.choice(["web", "web", "web", "phone", "email"]),
    }
    if fields["pref_meeting"] == "region":
        fields["pref_region"] = fields["region"] or "oslo"
    if fields["contact_method"] == "email":
        fields["contact_email"] = f"lege{rng.randint(100, 999)}@example.invalid"
    elif fields["contact_method"] == "phone":
        fields["contact_phone"] = f"+47 9{rng.randint(1000000, 9999999)}"
    if "course" in fields["expectations"] and rng.random() < 0.5:
        fields["wanted_offering"] = rng.choice(offerings)
    case = actions.do_submit_request(actor=SYSTEM, **fields).case
    Case.objects.filter(pk=case.pk).update(
        created=now - timedelta(days=age_days, hours=rng.randint(0, 20))
    )
    case.refresh_from_db()
    return case


def walk_case(
    case: Case,
    target: str,
    counsellor: CounsellorProfile,
    rng: random.Random,
    offerings: list[Offering],
) -> None:
    """Move `case` along the usual path until it reaches `target`."""
    if target == Status.NEW:
        return
    if target == Status.CANCELLED and rng.random() < 0.5:
        actions.do_cancel_request(case)
        return
    if target == Status.WITHDRAWN:
        actions.do_withdraw_case(SYSTEM, case, reason="Dobbel forespørsel")
        return
    actions.do_assign_counsellor(SYSTEM, case, counsellor)
    if target == Status.DECLINED:
        actions.do_decline_case(
            counsellor.user, case, reason=rng.choice(list(choices.DeclineReason.values))
        )
        return
    if target == Status.PROPOSED:
        return
    actions.do_accept_case(counsellor.user, case)
    actions.do_send_message(counsellor.user, case, body="Hei! Når passer det å snakke?")
    actions.do_send_message(SEEKER, case, body="Tirsdag ettermiddag passer fint.")
    if target == Status.CANCELLED:
        actions.do_cancel_request(case)
        return
    if target == Status.ACCEPTED:
        actions.do_plan_appointment(
            counsellor.user,
            case,
            starts=timezone.now() + timedelta(days=rng.randint(2, 10), hours=rng.randint(1, 6)),
            minutes=60,
            mode=rng.choice(list(choices.Mode.values)),
            where=rng.choice(
                ["https://video.example.invalid/rom/42", "Legeforeningens hus, rom 3", ""]
            ),
        )
        return
    for n in range(rng.randint(1, 3)):
        actions.do_log_conversation(
            counsellor.user,
            case,
            held_on=timezone.localdate() - timedelta(days=10 - n * 3),
            mode=rng.choice(list(choices.Mode.values)),
            minutes=rng.choice([45, 60, 75, 90]),
            note=rng.choice(NOTES),
        )
    if target == Status.IN_CONVERSATION:
        return
    if target == Status.REFERRED or rng.random() < 0.3:
        # The kinds the demo had before legevakt, so its random walk (and what tests find in
        # it) stays the same.
        kind = rng.choice([k for k in choices.ReferralKind.values if k != "legevakt"])
        offering = rng.choice(offerings) if kind == "course" else None
        actions.do_record_referral(
            counsellor.user,
            case,
            kind=kind,
            consent=True,
            offering=offering,
            for_seeker=REFERRAL_FOR_SEEKER[kind],
        )
    if target == Status.CLOSED:
        actions.do_close_case(
            counsellor.user, case, outcome=rng.choice(list(choices.Outcome.values))
        )


def backdate(case: Case, rng: random.Random, now: Any) -> None:
    """Place the walk's timestamps after the (backdated) request, as a real service would.

    The actions stamp everything "now"; without this a request made 60 days ago would seem to
    have waited 60 days, and the front door would promise a wait no real service has.
    """
    case.refresh_from_db()
    changes: dict[str, Any] = {}
    if case.first_assigned_at is not None:
        assigned = min(now, case.created + timedelta(hours=rng.randint(6, 96)))
        changes["first_assigned_at"] = changes["assigned_at"] = assigned
        if case.accepted_at is not None:
            changes["accepted_at"] = min(now, assigned + timedelta(hours=rng.randint(2, 30)))
    if case.ended_at is not None:
        latest = changes.get("accepted_at") or changes.get("assigned_at") or case.created
        changes["ended_at"] = min(now, latest + timedelta(days=rng.randint(3, 40)))
    if changes:
        Case.objects.filter(pk=case.pk).update(**changes)


def make_concern() -> Concern:
    """One concern from a colleague, proposed to a counsellor of the doctor's county."""
    return actions.do_raise_concern(
        language="nb",
        relation=choices.ConcernRelation.COLLEAGUE,
        doctor_name="Dr. Demo Fjellstad",
        region="vestland",
        workplace="Helse Vestkyst HF",
        worry="Han har virket sliten i flere måneder og sier han ikke orker vaktene lenger.",
        approach="Helst på telefon etter arbeidstid.",
    ).concern


def play_coordinator_day(rng: random.Random, now: Any) -> None:
    """What the coordinator's pages need to show: a named employer that excludes counsellors,
    urgent requests (one acknowledged, one not), a reassigned case and two years of history
    that only the anonymous statistics rows still hold."""
    coordinator = get_user_model().objects.filter(username="kari").first() or SYSTEM
    li = CounsellorProfile.objects.get(user__username="demo.li")
    li.employer = "Ullevål sykehus"
    marte = CounsellorProfile.objects.get(user__username="demo.marte")
    marte.conflict_employers = "Oslo universitetssykehus HF"
    for profile in (li, marte):
        actions.do_save_counsellor_profile(SYSTEM, profile)
    actions.do_submit_request(
        actor=SYSTEM,
        category=choices.Category.COPING,
        description="Jeg jobber på OUS og vil ikke møte noen derfra.",
        avoid_employers="OUS",
        region="oslo",
        expectations=["conversation"],
    )
    for minutes in (50, 140):
        urgent = actions.do_submit_request(
            actor=SYSTEM,
            category=choices.Category.COPING,
            urgent=True,
            description="Det går ikke lenger.",
            contact_method=choices.ContactMethod.PHONE,
            contact_phone="+47 400 00 000",
        ).case
        Case.objects.filter(pk=urgent.pk).update(created=now - timedelta(minutes=minutes))
    if isinstance(coordinator, str):
        return
    urgent.refresh_from_db()
    actions.do_acknowledge_urgent(coordinator, urgent)
    actions.do_write_to_seeker(
        coordinator, urgent, body="Vi har sett forespørselen din og ringer deg innen en time."
    )
    working = Case.objects.filter(status=Status.ACCEPTED).exclude(counsellor=None).first()
    if working is not None and working.counsellor is not None:
        others = CounsellorProfile.objects.filter(active=True).exclude(pk=working.counsellor.pk)
        other = others.filter(user__username="tor").first() or others.first()
        if other is not None:
            actions.do_reassign_case(coordinator, working, other, reason="Rådgiveren er sykmeldt.")
    # Requests from before the demo's live cases, deleted long ago: statistics rows only.
    for _ in range(240):
        month = (now - timedelta(days=rng.randint(90, 700))).date().replace(day=1)
        CaseStatistic.objects.create(
            month=month,
            category=rng.choice(list(choices.Category.values)),
            source="web",
            urgent=rng.random() < 0.05,
            expectations=rng.sample(list(choices.Expectation.values), rng.randint(1, 2)),
            region=rng.choice(list(choices.Region.values)),
            gender=rng.choice(["female", "male", "female", ""]),
            age_band=rng.choice([*choices.AgeBand.values, ""]),
            specialty=rng.choice(list(choices.Specialty.values)),
            final_status=Status.CLOSED,
            outcome=rng.choice(list(choices.Outcome.values)),
            conversations=rng.randint(1, 4),
            referrals=rng.sample(list(choices.ReferralKind.values), rng.randint(0, 1)),
            waiting_days=rng.randint(0, 6),
            deleted_by="retention",
        )
