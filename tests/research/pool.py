"""A study ready to recruit and a pool of synthetic consenting seekers, for the recruitment tests.

Each seeker carries canary words in every field researchers must never see: their name, e-mail,
phone, own words, people to avoid and a message to the service.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kollega.core import roles
from kollega.research import actions
from kollega.research.models import Study
from kollega.service import actions as service_actions
from kollega.service.models import Case
from tests.cast import Cast, Member, make_member

GENDERS = ["female", "male"]
AGES = ["under_30", "30_39", "40_49", "50_59", "60_plus"]
SPECIALTIES = ["general_practice", "psychiatry", "surgery", "internal_medicine"]
CATEGORIES = ["advice", "coping", "work"]
CONSENT_TEXT = "I agree to an interview about the service, recorded and transcribed."


@dataclass
class PoolSeeker:
    case: Case
    token: str
    canaries: list[str] = field(default_factory=list)

    def url(self, name: str = "service:status", *args: Any) -> str:
        return reverse(name, args=[self.token, *args])


def make_seeker(i: int, *, consent: bool = True, email: bool = True, **fields: Any) -> PoolSeeker:
    canaries = [f"Canaryname{i}", f"canary{i}@example.invalid", f"+47 9000{i:04d}"]
    canaries += [f"CANARYWORDS{i}", f"CANARYAVOID{i}"]
    data: dict[str, Any] = {
        "category": CATEGORIES[i % len(CATEGORIES)],
        "description": f"I sleep badly CANARYWORDS{i}",
        "avoid_people": f"CANARYAVOID{i}",
        "gender": GENDERS[i % 2],
        "age_band": AGES[i % len(AGES)],
        "specialty": SPECIALTIES[(i // 2) % len(SPECIALTIES)],
        "position": "specialist",
        "region": "oslo",
        "contact_name": f"Canaryname{i}",
        "contact_phone": f"+47 9000{i:04d}",
        "research_consent": consent,
    }
    if email:
        data |= {"contact_method": "email", "contact_email": f"canary{i}@example.invalid"}
    else:
        data |= {"contact_method": "phone"}
    data.update(fields)
    submitted = service_actions.do_submit_request(**data)
    service_actions.do_send_message(
        service_actions.SEEKER, submitted.case, body=f"CANARYMESSAGE{i}"
    )
    canaries.append(f"CANARYMESSAGE{i}")
    return PoolSeeker(submitted.case, submitted.token, canaries)


@dataclass
class Recruiting:
    study: Study
    owner: Member
    stranger_researcher: Member
    seekers: list[PoolSeeker]

    def client(self) -> Client:
        return self.owner.client("en")

    def url(self, name: str) -> str:
        return reverse(f"research:{name}", args=[self.study.pk])

    def canaries(self) -> list[str]:
        return list(itertools.chain.from_iterable(s.canaries for s in self.seekers))


def recruiting_study(owner: Member, *, title: str = "Help-seeking study") -> Study:
    study = actions.do_create_study(
        owner.user,
        title=title,
        aims="Why doctors seek help.",
        language="en",
        waves=[("First interview", 0, 10), ("Follow-up", 335, 395)],
    )
    actions.do_update_protocol(
        owner.user,
        study,
        research_questions="What brings doctors to seek help?",
        ethics_reference="REK 123456",
        target_sample=12,
        dimensions=["gender", "age_band", "specialty"],
    )
    actions.do_add_consent_version(owner.user, study, version="1.0", text=CONSENT_TEXT)
    return study


@pytest.fixture(name="recruiting")
def recruiting_fixture(cast: Cast) -> Recruiting:
    """A study ready to recruit and a pool of ten consenting seekers (and one who is not)."""
    seekers = [make_seeker(i, email=i % 2 == 0) for i in range(10)]
    make_seeker(99, consent=False)  # not in the pool
    other = make_member("rut", roles.RESEARCHER, first_name="Rut")
    return Recruiting(recruiting_study(cast.researcher), cast.researcher, other, seekers)
