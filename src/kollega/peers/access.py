"""The one place that says who may see which county's scheme, and whose registrations."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from kollega.core.roles import COORDINATOR, COUNSELLOR, counties_of, has_role
from kollega.peers.models import Registration
from kollega.service import choices
from kollega.service.models import CounsellorProfile


def counties_for(user: Any) -> list[str]:
    """The counties `user` may see, in the list's order: all for a national coordinator, the
    ones they lead for a county leader, none for anyone else."""
    if has_role(user, COORDINATOR):
        return [code for code, _label in choices.Region.choices]
    mine = counties_of(user)
    return [code for code, _label in choices.Region.choices if code in mine]


def get_county_for_user(user: Any, county: str) -> str:
    """`county` when `user` may see it; 404 otherwise (another county's leader learns nothing)."""
    if county not in counties_for(user):
        raise Http404
    return county


def own_profile(user: Any) -> CounsellorProfile:
    """The signed-in counsellor's profile; 404 for anyone without one."""
    profile = CounsellorProfile.objects.filter(user_id=getattr(user, "pk", None) or 0).first()
    if profile is None or not has_role(user, COUNSELLOR):
        raise Http404
    return profile


def get_registration_for_user(user: Any, pk: int) -> Registration:
    """One of the counsellor's own registrations; 404 for anyone else's."""
    profile = own_profile(user)
    found = Registration.objects.filter(pk=pk, counsellor=profile).first()
    if found is None:
        raise Http404
    return found
