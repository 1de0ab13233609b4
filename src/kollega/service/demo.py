"""A believable synthetic service: counsellors across Norway, requests in every state, offerings.

Every name, employer and sentence here is invented for the demo. Loading twice changes nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kollega.core import roles
from kollega.service import actions, choices, waiting
from kollega.service.models import (
    Case,
    CaseStatistic,
    Concern,
    CounsellorProfile,
    Offering,
    ReferralPlace,
    Status,
)

SYSTEM = "demo"

# username, first, last, gender, region, specialty, employer, languages
COUNSELLORS = [
    (
        "ingrid",
        "Ingrid",
        "Haugen",
        "female",
        "oslo",
        "general_practice",
        "Fjellbyen legesenter",
        ["nb", "en"],
    ),
    (
        "tor",
        "Tor",
        "Lunde",
        "male",
        "vestland",
        "psychiatry",
        "Helse Vestkyst HF",
        ["nb", "en", "de"],
    ),
    (
        "demo.astrid",
        "Astrid",
        "Solberg",
        "female",
        "trondelag",
        "internal_medicine",
        "Helse Midtdal HF",
        ["nb", "en"],
    ),
    (
        "demo.bjorn",
        "Bjørn",
        "Eide",
        "male",
        "rogaland",
        "surgery",
        "Helse Sørkyst HF",
        ["nb", "en"],
    ),
    (
        "demo.camilla",
        "Camilla",
        "Strand",
        "female",
        "nordland",
        "general_practice",
        "Nordvik kommune",
        ["nb", "en", "sv"],
    ),
    (
        "demo.daniel",
        "Daniel",
        "Aas",
        "male",
        "troms",
        "anaesthesia",
        "Nordlysklinikken HF",
        ["nb", "en"],
    ),
    (
        "demo.eva",
        "Eva",
        "Nilsen",
        "female",
        "innlandet",
        "paediatrics",
        "Innlandsdalen HF",
        ["nb", "en", "da"],
    ),
    (
        "demo.frode",
        "Frode",
        "Berge",
        "male",
        "agder",
        "occupational",
        "Sørlandet bedriftshelse",
        ["nb", "en"],
    ),
    (
        "demo.guro",
        "Guro",
        "Hansen",
        "female",
        "akershus",
        "obstetrics",
        "Romerikslia HF",
        ["nb", "en"],
    ),
    (
        "demo.hans",
        "Hans",
        "Kvam",
        "male",
        "more_og_romsdal",
        "emergency",
        "Helse Fjordkyst HF",
        ["nb", "en"],
    ),
    (
        "demo.li",
        "Li",
        "Wang",
        "female",
        "oslo",
        "psychiatry",
        "Oslo byklinikk HF",
        ["nb", "en", "zh"],
    ),
    (
        "demo.marte",
        "Marte",
        "Vik",
        "female",
        "vestfold",
        "general_practice",
        "Tønsvik legesenter",
        ["nb", "en"],
    ),
    (
        "demo.nils",
        "Nils",
        "Moe",
        "male",
        "finnmark",
        "public_health",
        "Finnvidda kommune",
        ["nb", "en"],
    ),
    (
        "demo.oda",
        "Oda",
        "Lie",
        "female",
        "buskerud",
        "radiology",
        "Helse Elvedal HF",
        ["nb", "en", "pl"],
    ),
    (
        "demo.per",
        "Per",
        "Holm",
        "male",
        "telemark",
        "internal_medicine",
        "Helse Telemo HF",
        ["nb", "en"],
    ),
    (
        "demo.ragnhild",
        "Ragnhild",
        "Dahl",
        "female",
        "ostfold",
        "general_practice",
        "Glommavik legesenter",
        ["nb", "sv"],
    ),
]

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


def _user(username: str, first: str, last: str) -> Any:
    from kollega.accounts.actions import do_create_staff

    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user, _device = do_create_staff(
            username=username,
            password=None,  # type: ignore[arg-type]  # no sign-in for extra demo counsellors
            roles=[roles.COUNSELLOR],
            first_name=first,
            last_name=last,
            email=f"{username}@demo.invalid",
            actor=SYSTEM,
        )
    return user


def _profiles() -> list[CounsellorProfile]:
    profiles = []
    for i, (username, first, last, gender, region, specialty, employer, languages) in enumerate(
        COUNSELLORS
    ):
        user = _user(username, first, last)
        profile = CounsellorProfile.objects.filter(user=user).first()
        if profile is None:
            profile = actions.do_save_counsellor_profile(
                SYSTEM,
                CounsellorProfile(
                    user=user,
                    gender=gender,
                    region=region,
                    specialty=specialty,
                    employer=employer,
                    languages=languages,
                    capacity=12 if username in {"ingrid", "tor"} else 4,
                    active=i % 7 != 6,
                    remote=i % 3 != 2,
                ),
            )
        profiles.append(profile)
    return profiles


# The coordinator's optional translations of each course title (English, Chinese).
TITLE_TRANSLATIONS = {
    "Rådgivningsdag": ("Counselling day", "咨询日"),
    "Ukeskurs for leger": ("Week-long course for doctors", "医生一周课程"),
    "Ukeskurs for leger i lederroller": (
        "Week-long course for doctors in leading roles",
        "担任领导职务的医生一周课程",
    ),
}
# What a counsellor writes for the seeker about each kind of referral (synthetic places).
REFERRAL_FOR_SEEKER = {
    "gp": "Bestill en time hos fastlegen din og si at du vil snakke om hvordan du har det.",
    "lege_for_lege": "Lege-for-lege-ordningen i fylket ditt: ring sentralbordet og be om "
    "lege-for-lege. Du trenger ingen henvisning.",
    "psych": "Fastlegen din kan henvise deg til psykolog eller psykiater; ta med dette "
    "når du bestiller time.",
    "course": "Du står på listen til kurset. Du får vite mer her på siden.",
    "occupational": "Bedriftshelsetjenesten der du jobber: du kan kontakte dem selv, uten "
    "å gå gjennom lederen din.",
    "other": "Vi snakket om hvor du kan få mer hjelp; spør meg her om noe er uklart.",
}


def _offerings(now: Any) -> list[Offering]:
    specs = [
        ("day", "Rådgivningsdag", "Villa Ro, Modum", 9, 1, 6),
        ("course", "Ukeskurs for leger", "Villa Ro, Modum", 30, 5, 8),
        ("day", "Rådgivningsdag", "Kurssenteret, Bergen", 16, 1, 4),
        ("course", "Ukeskurs for leger i lederroller", "Villa Ro, Modum", 60, 5, 10),
    ]
    offerings = []
    for kind, title, place, days, length, capacity in specs:
        title_en, title_zh = TITLE_TRANSLATIONS[title]
        start = (now + timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)
        offering = Offering.objects.filter(title=title, place=place).first()
        if offering is None:
            offering = actions.do_save_offering(
                SYSTEM,
                Offering(
                    kind=kind,
                    title=title,
                    title_en=title_en,
                    title_zh=title_zh,
                    place=place,
                    starts=start,
                    ends=start + timedelta(days=length - 1, hours=7),
                    capacity=capacity,
                ),
            )
        elif not (offering.title_en or offering.title_zh):
            # A demo loaded before titles had translations gets them.
            offering.title_en, offering.title_zh = title_en, title_zh
            actions.do_save_offering(SYSTEM, offering)
        offerings.append(offering)
    return offerings


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


def _request(rng: random.Random, now: Any, age_days: int, offerings: list[Offering]) -> Case:
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


def _walk(
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
    actions.do_send_message(actions.SEEKER, case, body="Tirsdag ettermiddag passer fint.")
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


def _backdate(case: Case, rng: random.Random, now: Any) -> None:
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


@transaction.atomic
def load(stdout: Any) -> None:
    if Case.objects.exists():
        stdout.write("Service demo data is already there.")
        return
    rng = random.Random(20250611)
    now = timezone.now()
    profiles = _profiles()
    offerings = _offerings(now)
    by_user = {p.user.username: p for p in profiles}
    workers = [p for p in profiles if p.active]
    count = 0
    for target, how_many in PLAN:
        for i in range(how_many):
            age = (
                rng.randint(1, 6)
                if target in (Status.NEW, Status.DECLINED, Status.PROPOSED)
                else rng.randint(8, 80)
            )
            case = _request(rng, now, age, offerings)
            # Give ingrid and tor work of every kind so that signing in as them shows something.
            if i % 3 == 0:
                counsellor = by_user["ingrid"] if (count // 3) % 2 == 0 else by_user["tor"]
            else:
                counsellor = workers[(count + i) % len(workers)]
            _walk(case, target, counsellor, rng, offerings)
            _backdate(case, rng, now)
            count += 1
    _coordinator_day(rng, now)
    places = _directory()
    _concern()
    # A few cases ended long ago, so the retention task has something to do.
    stale = Case.objects.filter(status__in=[Status.CANCELLED, Status.WITHDRAWN])[:2]
    Case.objects.filter(pk__in=[c.pk for c in stale]).update(ended_at=now - timedelta(days=200))
    waiting.rebuild_tally()
    stdout.write(
        f"Service demo: {len(profiles)} counsellors, {count} requests, {len(offerings)} "
        f"offerings, {len(places)} directory entries, one concern."
    )


# region, kind, name, phone, web, description (nb), description (en)
DIRECTORY = [
    (
        "",
        "course",
        "Villa Sana, Modum",
        "+47 32 00 00 00",
        "https://example.invalid/villa-sana",
        "Rådgivningsdager og kurs for leger fra hele landet. Bestill selv på nettsiden.",
        "Counselling days and courses for doctors from all over Norway. Book on the website.",
    ),
    (
        "oslo",
        "lege_for_lege",
        "Lege-for-lege Oslo",
        "+47 22 00 00 01",
        "",
        "Samtaler med en erfaren kollega, utenfor arbeidsgiverlinjen.",
        "Conversations with an experienced colleague, outside the employer line.",
    ),
    (
        "vestland",
        "psych",
        "Psykologpraksis Bryggen (tar imot leger)",
        "+47 55 00 00 02",
        "https://example.invalid/bryggen",
        "Korte ventetider for leger. Henvisning fra fastlege er ikke nødvendig.",
        "",
    ),
    (
        "trondelag",
        "legevakt",
        "Legevakten i Trondheim",
        "116 117",
        "",
        "Ring ved akutt behov utenom fastlegens åpningstid.",
        "Call when you need help urgently outside your GP's opening hours.",
    ),
    (
        "nordland",
        "occupational",
        "Bedriftshelsetjenesten Nord",
        "+47 75 00 00 03",
        "",
        "Bedriftshelsetjeneste for sykehusansatte i Nordland.",
        "",
    ),
]


def _directory() -> list[ReferralPlace]:
    return [
        actions.do_save_referral_place(
            SYSTEM,
            ReferralPlace(
                region=region,
                kind=kind,
                name=name,
                phone=phone,
                web=web,
                description=nb,
                description_en=en,
            ),
        )
        for region, kind, name, phone, web, nb, en in DIRECTORY
    ]


def _concern() -> Concern:
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


def _coordinator_day(rng: random.Random, now: Any) -> None:
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
