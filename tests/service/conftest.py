"""The service's additions to the cast: counsellor profiles and a help-seeker's request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from kollega.service import actions
from kollega.service.models import Case, CounsellorProfile
from tests.cast import Cast, Member


def make_profile(member: Member, **fields: Any) -> CounsellorProfile:
    defaults: dict[str, Any] = {
        "gender": "female",
        "region": "oslo",
        "languages": ["nb", "en"],
        "specialty": "general_practice",
        "employer": "Fjellbyen legesenter",
        "capacity": 3,
    }
    defaults.update(fields)
    return actions.do_save_counsellor_profile(
        "test", CounsellorProfile(user=member.user, **defaults)
    )


@dataclass
class Seeker:
    """The help-seeker: no account, only the status link's token."""

    case: Case
    token: str

    def client(self) -> Client:
        return Client()

    def url(self, name: str = "service:status", *args: Any) -> str:
        from django.urls import reverse

        return reverse(name, args=[self.token, *args])

    def refresh(self) -> Case:
        self.case.refresh_from_db()
        return self.case


def submit(**fields: Any) -> Seeker:
    data: dict[str, Any] = {"category": "coping", "description": "Jeg sover dårlig."}
    data.update(fields)
    submitted = actions.do_submit_request(**data)
    return Seeker(submitted.case, submitted.token)


@pytest.fixture
def profiles(cast: Cast) -> tuple[CounsellorProfile, CounsellorProfile]:
    cast.counsellor.user.email = "ingrid@example.invalid"
    cast.counsellor.user.save()
    return (
        make_profile(cast.counsellor),
        make_profile(
            cast.other_counsellor, gender="male", region="vestland", employer="Helse Vestkyst HF"
        ),
    )


@pytest.fixture
def seeker(db: None) -> Seeker:
    return submit()


@pytest.fixture
def proposed(
    seeker: Seeker, cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> Seeker:
    """A request proposed to cast.counsellor."""
    actions.do_assign_counsellor(cast.coordinator.user, seeker.case, profiles[0])
    return seeker


@pytest.fixture
def accepted(proposed: Seeker, cast: Cast) -> Seeker:
    actions.do_accept_case(cast.counsellor.user, proposed.case)
    return proposed
