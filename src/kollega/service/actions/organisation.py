"""The service's registers kept by coordinators: counsellor profiles, referral places and the
service's settings.
"""

from __future__ import annotations

from django.db import transaction

from kollega.core.audit import Actor, AuditAction, record
from kollega.service.actions.assignment import auto_assign_soon
from kollega.service.models import CounsellorProfile, ReferralPlace, ServiceSettings


@transaction.atomic
def do_save_referral_place(actor: Actor, place: ReferralPlace) -> ReferralPlace:
    created = place.pk is None
    place.save()
    record(
        actor,
        AuditAction.SERVICE_DIRECTORY_CREATE if created else AuditAction.SERVICE_DIRECTORY_CHANGE,
        place,
    )
    return place


@transaction.atomic
def do_delete_referral_place(actor: Actor, place: ReferralPlace) -> None:
    """Remove an entry; past referrals to it keep their kind (the link is set to null)."""
    record(actor, AuditAction.SERVICE_DIRECTORY_DELETE, place, kind=place.kind, region=place.region)
    place.delete()


@transaction.atomic
def do_save_counsellor_profile(actor: Actor, profile: CounsellorProfile) -> CounsellorProfile:
    created = profile.pk is None
    profile.save()
    record(
        actor,
        AuditAction.SERVICE_COUNSELLOR_CREATE if created else AuditAction.SERVICE_COUNSELLOR_CHANGE,
        profile,
    )
    auto_assign_soon()
    return profile


@transaction.atomic
def do_save_service_settings(actor: Actor, service: ServiceSettings) -> ServiceSettings:
    service.pk = 1
    service.save()
    record(
        actor,
        AuditAction.SERVICE_SETTINGS_CHANGE,
        auto_assign=service.auto_assign,
        seeker_choice=service.seeker_choice,
    )
    auto_assign_soon()
    return service
