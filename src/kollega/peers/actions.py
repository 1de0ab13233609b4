"""Every change to the collegial support scheme: one transaction and one audit row each.

Nothing here records who looked at the public list: that page writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kollega.core.audit import SYSTEM as SYSTEM
from kollega.core.audit import Actor, AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.peers.models import (
    Listing,
    PeriodKind,
    Registration,
    RegistrationStatistic,
    Settlement,
)
from kollega.service.models import CounsellorProfile, ReferralPlace

REGISTRATION_FIELDS = (
    "channel", "category", "age_band", "gender", "county", "specialty", "referral",
)  # fmt: skip
LISTING_FIELDS = (
    "listed",
    "hidden",
    "name",
    "workplace",
    "phone",
    "email",
    "show_languages",
    "text",
)


def _person(actor: Actor) -> Any:
    """The staff member behind `actor`, or None for "system" and the like."""
    return actor if getattr(actor, "pk", None) else None


def listing_of(profile: CounsellorProfile) -> Listing:
    """The counsellor's listing, unsaved and unlisted when they never made one."""
    found = Listing.objects.filter(profile=profile).first()
    return found or Listing(profile=profile)


@transaction.atomic
def do_save_listing(actor: Actor, listing: Listing) -> Listing:
    """Save the counsellor's choices. A changed listing waits for approval again, the approved
    version staying up meanwhile; withdrawing takes the public entry down at once."""
    before = Listing.objects.filter(pk=listing.pk).first() if listing.pk else None
    if before is not None and before.published is not None:
        listing.changed_since_approval = listing.draft() != before.published
    if not listing.listed:
        listing.published, listing.county, listing.changed_since_approval = None, "", False
    listing.save()
    changed = (
        [name for name in LISTING_FIELDS if getattr(before, name) != getattr(listing, name)]
        if before is not None
        else list(LISTING_FIELDS)
    )
    record(actor, AuditAction.PEERS_LISTING_SAVE, listing, fields=changed, listed=listing.listed)
    return listing


@transaction.atomic
def do_approve_listing(actor: Actor, listing: Listing) -> Listing:
    """Publish the counsellor's current choices. Refused when they are not asking to be listed
    or give no way to reach them."""
    listing = Listing.objects.select_for_update().select_related("profile").get(pk=listing.pk)
    if not listing.listed:
        raise ActionRefused(_("This counsellor does not ask to be listed."))
    draft = listing.draft()
    if not (draft["phone"] or draft["email"]):
        raise ActionRefused(_("A listing needs a phone number or an e-mail address."))
    listing.published = draft
    listing.county = listing.profile.region
    listing.changed_since_approval = False
    listing.approved_at, listing.approved_by = timezone.now(), _person(actor)
    listing.save()
    record(actor, AuditAction.PEERS_LISTING_APPROVE, listing, county=listing.county)
    return listing


def check_dates(days: list[date], *, today: date | None = None) -> list[date]:
    """The conversations' dates, checked: 1 to the limit, none in the future, no repeats."""
    today = today or timezone.localdate()
    limit = settings.KOLLEGA_CONVERSATION_LIMIT
    if not days:
        raise ActionRefused(_("Give the date of at least one conversation."))
    if len(days) > limit:
        raise ActionRefused(
            _("At most %(limit)d conversations can be registered for one contact.")
            % {"limit": limit}
        )
    if any(day > today for day in days):
        raise ActionRefused(_("A conversation cannot be dated in the future."))
    if len(set(days)) != len(days):
        raise ActionRefused(_("Each conversation needs its own date."))
    return sorted(days)


def _fill(
    registration: Registration,
    days: list[date],
    place: ReferralPlace | None,
    fields: dict[str, str],
) -> None:
    """Set the registration's codes and dates, checked; a directory entry gives the kind."""
    for name in REGISTRATION_FIELDS:
        setattr(registration, name, fields.get(name, "") or "")
    registration.place = place
    if place is not None:
        registration.referral = place.kind
    registration.set_dates(check_dates(days))
    registration.full_clean(exclude=["first_on", "last_on", "settlement"])


@transaction.atomic
def do_register_contact(
    actor: Actor,
    profile: CounsellorProfile,
    *,
    dates: list[date],
    place: ReferralPlace | None = None,
    **fields: str,
) -> Registration:
    """Register a contact that came outside Kollega, for the counsellor `profile`.

    `place`, an entry of the referral directory, sets the referral's kind (`fields["referral"]`
    is then ignored). Raises ActionRefused for bad dates, ValidationError for unknown codes.
    """
    registration = Registration(counsellor=profile, scheme_county=profile.region)
    _fill(registration, dates, place, fields)
    registration.save()
    record(
        actor,
        AuditAction.PEERS_REGISTRATION_ADD,
        registration,
        conversations=registration.conversations,
        place=getattr(place, "pk", None),
    )
    return registration


@transaction.atomic
def do_change_registration(
    actor: Actor,
    registration: Registration,
    *,
    dates: list[date],
    place: ReferralPlace | None = None,
    **fields: str,
) -> Registration:
    """Change a registration that is not settled; refused once it is."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.settled:
        raise ActionRefused(_("This contact is settled and can no longer be changed."))
    _fill(registration, dates, place, fields)
    registration.save()
    record(
        actor,
        AuditAction.PEERS_REGISTRATION_CHANGE,
        registration,
        conversations=registration.conversations,
        place=getattr(place, "pk", None),
    )
    return registration


@dataclass(frozen=True)
class SettlementPeriod:
    kind: str
    start: date
    end: date  # last day

    @classmethod
    def of(cls, kind: str, year: int, number: int) -> SettlementPeriod:
        """Month `number` (1-12) or quarter `number` (1-4) of `year`; ValueError otherwise."""
        if kind == PeriodKind.MONTH and 1 <= number <= 12:
            first, months = number, 1
        elif kind == PeriodKind.QUARTER and 1 <= number <= 4:
            first, months = 3 * number - 2, 3
        else:
            raise ValueError(f"no {kind} {number}")
        start = date(year, first, 1)
        after = first + months
        stop = date(year + (after - 1) // 12, (after - 1) % 12 + 1, 1)
        return cls(kind, start, date.fromordinal(stop.toordinal() - 1))


def pending_for(profile: CounsellorProfile, period: SettlementPeriod) -> list[Registration]:
    """What a settlement of `period` would cover: the counsellor's unsettled registrations whose
    conversations were all held by the period's end."""
    return list(
        Registration.objects.filter(
            counsellor=profile, settlement__isnull=True, last_on__lte=period.end
        ).order_by("first_on", "pk")
    )


def settlement_rate() -> Decimal:
    return Decimal(settings.KOLLEGA_SETTLEMENT_RATE)


@transaction.atomic
def do_approve_settlement(
    actor: Actor, profile: CounsellorProfile, period: SettlementPeriod
) -> Settlement:
    """Settle the counsellor's conversations for `period` at today's rate, and lock the
    registrations it covers. Refused before the period has ended, when it was settled
    already, or when there is nothing to settle."""
    if period.end >= timezone.localdate():
        raise ActionRefused(_("A period can be settled only after it has ended."))
    # Locks the counsellor so two approvals of the same period cannot both count a contact.
    CounsellorProfile.objects.select_for_update().filter(pk=profile.pk).first()
    if Settlement.objects.filter(counsellor=profile, kind=period.kind, start=period.start).exists():
        raise ActionRefused(_("This period is already settled for this counsellor."))
    covered = pending_for(profile, period)
    if not covered:
        raise ActionRefused(_("There is nothing to settle for this period."))
    conversations = sum(registration.conversations for registration in covered)
    rate = settlement_rate()
    settlement = Settlement.objects.create(
        counsellor=profile,
        county=profile.region,
        kind=period.kind,
        start=period.start,
        end=period.end,
        contacts=len(covered),
        conversations=conversations,
        rate=rate,
        amount=Settlement.amount_for(conversations, rate),
        approved_by=_person(actor),
    )
    Registration.objects.filter(pk__in=[r.pk for r in covered]).update(settlement=settlement)
    record(
        actor,
        AuditAction.PEERS_SETTLEMENT_APPROVE,
        settlement,
        county=settlement.county,
        contacts=settlement.contacts,
        conversations=conversations,
        amount=str(settlement.amount),
    )
    return settlement


# Retention ------------------------------------------------------------------------------------


def _keep_counts(registrations: list[Registration]) -> None:
    """Leave an anonymous statistics row for each registration about to be deleted."""
    RegistrationStatistic.objects.bulk_create(
        RegistrationStatistic(
            month=registration.first_on.replace(day=1),
            scheme_county=registration.scheme_county,
            conversations=registration.conversations,
            **{name: getattr(registration, name) for name in REGISTRATION_FIELDS},
        )
        for registration in registrations
    )


@transaction.atomic
def do_delete_settlement(settlement: Settlement, *, deleted_by: str) -> int:
    """Delete a settlement and the registrations it covers, keeping only anonymous statistics
    rows for them; returns how many registrations went."""
    covered = list(Registration.objects.filter(settlement=settlement))
    _keep_counts(covered)
    Registration.objects.filter(pk__in=[r.pk for r in covered]).delete()
    settlement_id, county = settlement.pk, settlement.county
    settlement.delete()
    record(
        SYSTEM,
        AuditAction.PEERS_SETTLEMENT_DELETE,
        object_type="peers.settlement",
        object_id=settlement_id,
        county=county,
        registrations=len(covered),
        deleted_by=deleted_by,
    )
    return len(covered)


@transaction.atomic
def do_delete_registration(registration: Registration, *, deleted_by: str) -> None:
    """Delete one registration that was never settled, keeping an anonymous statistics row."""
    _keep_counts([registration])
    registration_id = registration.pk
    registration.delete()
    record(
        SYSTEM,
        AuditAction.PEERS_REGISTRATION_DELETE,
        object_type="peers.registration",
        object_id=registration_id,
        deleted_by=deleted_by,
    )


def run_retention(now: datetime | None = None) -> int:
    """Delete every settlement whose period ended more than `KOLLEGA_SCHEME_RETENTION_DAYS`
    ago, with its registrations, and every unsettled registration whose last conversation is
    that old; returns how many registrations went.

    Each settlement and each registration goes in its own transaction, so one failure does
    not keep the rest.
    """
    today = timezone.localdate(now or timezone.now())
    cutoff = today - timedelta(days=settings.KOLLEGA_SCHEME_RETENTION_DAYS)
    count = 0
    for settlement in Settlement.objects.filter(end__lt=cutoff).order_by("pk"):
        count += do_delete_settlement(settlement, deleted_by="retention")
    for registration in Registration.objects.filter(
        settlement__isnull=True, last_on__lt=cutoff
    ).order_by("pk"):
        do_delete_registration(registration, deleted_by="retention")
        count += 1
    return count
