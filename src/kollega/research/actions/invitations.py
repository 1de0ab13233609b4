"""Invitations from the pool of consenting seekers, and the seekers' answers.

Audit details hold identifiers, counts and codes only — never transcript text.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kollega.core.audit import SEEKER as SEEKER
from kollega.core.audit import Actor, AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.research.actions.studies import next_pseudonym
from kollega.research.models import Invitation, InvitationStatus, Participant, Study
from kollega.service.pool import notify_invited, research_pool

# The actor on record for what a seeker does: they have no account.


def eligible_pool(study: Study, today: date | None = None) -> list[Any]:
    """Pool members this study may invite: not yet invited to it, and (when the study has
    waves) with the first wave's window not yet closed."""
    today = today or timezone.localdate()
    taken: set[Any] = set(study.invitations.values_list("link", flat=True))
    taken |= set(study.participants.exclude(link=None).values_list("link", flat=True))
    first = study.waves.order_by("number").first()
    return [
        member
        for member in research_pool()
        if member.link not in taken
        and (first is None or first.closes(member.contact_date) >= today)
    ]


@transaction.atomic
def do_invite(actor: Actor, study: Study, links: Iterable[str]) -> list[Invitation]:
    """Invite pool members through the service: their status page shows the invitation, and
    those who gave an e-mail address get a content-free e-mail. The researcher never sees
    where it goes."""
    if study.current_consent is None:
        raise ActionRefused(_("Add the consent text first: the invitation shows it."))
    chosen = list(dict.fromkeys(str(link) for link in links))
    if not chosen:
        raise ActionRefused(_("Choose at least one person to invite."))
    eligible = {str(member.link): member for member in eligible_pool(study)}
    if any(link not in eligible for link in chosen):
        raise ActionRefused(
            _("Someone chosen has left the pool or is already invited. Propose the sample again.")
        )
    invitations = [
        Invitation.objects.create(study=study, link=eligible[link].link) for link in chosen
    ]
    emailed = sum(notify_invited(invitation.link) for invitation in invitations)
    record(
        actor, AuditAction.RESEARCH_INVITATION_SEND, study, count=len(invitations), emailed=emailed
    )
    return invitations


def invitations_for(link: Any) -> Any:
    """What a seeker's status page shows: their invitations not declined, with the study."""
    if link is None:
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(link=link)
        .exclude(status=InvitationStatus.DECLINED)
        .select_related("study")
        .order_by("created", "pk")
    )


@transaction.atomic
def do_answer_invitation(
    invitation: Invitation, *, accept: bool, member: Any
) -> Participant | None:
    """The seeker answers on their status page. Accepting records the consent text's version and
    makes them a participant: pseudonym, contact date and profile codes, linked by the opaque id
    only, so that the participant outlives the service's case."""
    current = Invitation.objects.select_for_update().select_related("study").get(pk=invitation.pk)
    if current.status != InvitationStatus.PENDING or member is None or member.link != current.link:
        raise ActionRefused(_("This invitation has already been answered."))
    participant = None
    now = timezone.now()
    if accept:
        consent = current.study.current_consent
        if consent is None:
            raise ActionRefused(_("This invitation cannot be accepted just now."))
        participant = Participant.objects.create(
            study=current.study,
            pseudonym=next_pseudonym(current.study),
            link=current.link,
            contact_date=member.contact_date,
            consent_version=consent.version,
            consented_at=now,
            profile=dict(member.profile),
        )
        current.status = InvitationStatus.ACCEPTED
        current.consent_version = consent.version
        current.participant = participant
    else:
        current.status = InvitationStatus.DECLINED
    current.answered = now
    current.save()
    record(
        SEEKER,
        AuditAction.RESEARCH_INVITATION_ACCEPT
        if accept
        else AuditAction.RESEARCH_INVITATION_DECLINE,
        current,
        study=current.study_id,
        consent_version=current.consent_version,
    )
    invitation.refresh_from_db()
    return participant
