"""The demo's counselling days and courses, and its referral directory."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from kollega.core.audit import DEMO as SYSTEM
from kollega.service import actions
from kollega.service.models import Offering, ReferralPlace

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


def make_offerings(now: Any) -> list[Offering]:
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


def make_directory() -> list[ReferralPlace]:
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
