"""The scheme's cast: a counsellor in Oslo with a profile, the leader of Oslo, the leader of
Vestland (another county), beside the shared cast."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from kollega.accounts.models import User
from kollega.core import roles
from kollega.peers import actions
from kollega.peers.models import Listing, Registration
from kollega.service.models import CounsellorProfile
from tests.cast import Cast, Member, make_member
from tests.service.conftest import make_profile


@dataclass
class Scheme:
    cast: Cast
    profile: CounsellorProfile  # the cast's counsellor, in Oslo
    leader: Member  # leads Oslo
    other_leader: Member  # leads Vestland only


def make_leader(username: str, *counties: str) -> Member:
    member = make_member(username, roles.COUNTY_LEADER, first_name=username.title())
    User.objects.filter(pk=member.user.pk).update(counties=list(counties))
    member.user.refresh_from_db()
    return member


@pytest.fixture
def scheme(cast: Cast) -> Scheme:
    profile = make_profile(cast.counsellor, region="oslo")
    return Scheme(
        cast,
        profile,
        make_leader("liv", "oslo"),
        make_leader("vegard", "vestland"),
    )


def last_month_days(n: int) -> list[date]:
    """`n` distinct days of last month."""
    first = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    return [first + timedelta(days=2 * k) for k in range(n)]


def register(
    profile: CounsellorProfile, *, days: list[date] | None = None, **fields: Any
) -> Registration:
    values = {"channel": "phone", "category": "coping", **fields}
    return actions.do_register_contact("test", profile, dates=days or last_month_days(2), **values)


def approved_listing(profile: CounsellorProfile, **fields: Any) -> Listing:
    values: dict[str, Any] = {
        "listed": True,
        "name": str(profile),
        "workplace": "Fjellbyen legesenter",
        "phone": "22 33 44 55",
        "email": "stotte@example.invalid",
        **fields,
    }
    listing = actions.listing_of(profile)
    for name, value in values.items():
        setattr(listing, name, value)
    listing = actions.do_save_listing("test", listing)
    return actions.do_approve_listing("test", listing)
