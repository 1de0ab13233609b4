"""The demo's counsellors: invented people across Norway, with accounts and profiles."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from kollega.accounts.actions import do_create_staff
from kollega.core import roles
from kollega.core.audit import DEMO as SYSTEM
from kollega.service import actions
from kollega.service.models import CounsellorProfile

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


def _user(username: str, first: str, last: str) -> Any:
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


def make_profiles() -> list[CounsellorProfile]:
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
