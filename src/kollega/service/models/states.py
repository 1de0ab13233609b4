"""The state machines of a case and of a concern: their states, the moves allowed between
them, and the groups of states the rest of the service asks about.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollega.accounts.models import User
from kollega.core.audit import Actor
from kollega.core.fields import EncryptedTextField


class IllegalTransition(Exception):
    """Raised by `Case.set_status()` for a move the transition table does not allow."""


class Status(models.TextChoices):
    NEW = "new", _("Waiting for a counsellor")
    PROPOSED = "proposed", _("Proposed to a counsellor")
    DECLINED = "declined", _("Declined, back in the queue")
    ACCEPTED = "accepted", _("Accepted by a counsellor")
    IN_CONVERSATION = "in_conversation", _("In conversation")
    REFERRED = "referred", _("Referred")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled by the seeker")
    WITHDRAWN = "withdrawn", _("Withdrawn by the service")


_ENDINGS = {Status.CANCELLED, Status.WITHDRAWN}


TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {Status.PROPOSED} | _ENDINGS,
    # PROPOSED again is a move (reassignment) to another counsellor, from any state with one;
    # DECLINED from the working states is the counsellor handing the case back to the queue.
    Status.PROPOSED: {Status.ACCEPTED, Status.DECLINED, Status.NEW, Status.PROPOSED} | _ENDINGS,
    Status.DECLINED: {Status.PROPOSED} | _ENDINGS,
    Status.ACCEPTED: {
        Status.IN_CONVERSATION,
        Status.REFERRED,
        Status.CLOSED,
        Status.PROPOSED,
        Status.DECLINED,
    }
    | _ENDINGS,
    Status.IN_CONVERSATION: {Status.REFERRED, Status.CLOSED, Status.PROPOSED, Status.DECLINED}
    | _ENDINGS,
    Status.REFERRED: {Status.IN_CONVERSATION, Status.CLOSED, Status.PROPOSED, Status.DECLINED}
    | _ENDINGS,
    Status.CLOSED: set(),
    Status.CANCELLED: set(),
    Status.WITHDRAWN: set(),
}


QUEUE_STATUSES = (Status.NEW, Status.DECLINED)


TERMINAL_STATUSES = (Status.CLOSED, Status.CANCELLED, Status.WITHDRAWN)


OPEN_COUNSELLOR_STATUSES = (
    Status.PROPOSED,
    Status.ACCEPTED,
    Status.IN_CONVERSATION,
    Status.REFERRED,
)


ACTIVE_WORK_STATUSES = (Status.ACCEPTED, Status.IN_CONVERSATION, Status.REFERRED)


class ConcernStatus(models.TextChoices):
    NEW = "new", _("Waiting for a counsellor")
    PROPOSED = "proposed", _("Proposed to a counsellor")
    TAKEN = "taken", _("Taken up by a counsellor")
    DONE = "done", _("Concluded")
    WITHDRAWN = "withdrawn", _("Withdrawn by the service")


CONCERN_TRANSITIONS: dict[str, set[str]] = {
    ConcernStatus.NEW: {ConcernStatus.PROPOSED, ConcernStatus.WITHDRAWN},
    # PROPOSED again is a move to another counsellor; NEW is a decline or a hand-back.
    ConcernStatus.PROPOSED: {
        ConcernStatus.TAKEN,
        ConcernStatus.NEW,
        ConcernStatus.PROPOSED,
        ConcernStatus.WITHDRAWN,
    },
    ConcernStatus.TAKEN: {
        ConcernStatus.DONE,
        ConcernStatus.NEW,
        ConcernStatus.PROPOSED,
        ConcernStatus.WITHDRAWN,
    },
    ConcernStatus.DONE: set(),
    ConcernStatus.WITHDRAWN: set(),
}


CONCERN_ENDED = (ConcernStatus.DONE, ConcernStatus.WITHDRAWN)


CONCERN_OPEN_FOR_COUNSELLOR = (ConcernStatus.PROPOSED, ConcernStatus.TAKEN)


class StateMachine(models.Model):
    """A record that moves through a state machine (a case, a concern): its `status`, a
    `revision` that every move raises (stale forms compare it), `ended_at` set on entering an
    ending state, and a history row per move.

    Each concrete record names its moves (`transitions`), its ending states (`ending`) and the
    related name of its `StateChange` rows (`history`).
    """

    transitions: ClassVar[dict[str, set[str]]]
    ending: ClassVar[Collection[str]]
    history: ClassVar[str]

    status: models.CharField[str, str]
    revision: models.PositiveIntegerField[int, int]
    ended_at: models.DateTimeField[datetime | None, datetime | None]

    class Meta:
        abstract = True

    def can_move_to(self, new: str) -> bool:
        return new in self.transitions.get(self.status, set())

    def set_status(self, new: str, *, actor: Actor, reason: str = "") -> StateChange:
        """Move to `new`, saving the record and its history row; illegal moves raise.

        Callers are actions that hold a transaction and write the audit event.
        """
        if not self.can_move_to(new):
            raise IllegalTransition(f"{self.status} → {new}")
        old = self.status
        self.status = new
        self.revision += 1
        now = timezone.now()
        if new in self.ending:
            self.ended_at = now
        self.save()
        user = actor if isinstance(actor, User) else None
        label = actor if isinstance(actor, str) else (user.get_username() if user else "")
        change: StateChange = getattr(self, self.history).create(
            old=old,
            new=new,
            actor=user,
            actor_label=label,
            reason=reason,
            at=now,
        )
        return change


class StateChange(models.Model):
    """One move of a record through its state machine: who, when, from, to and why.

    Each concrete history (`StatusChange` of a case, `ConcernChange` of a concern) adds the
    record it belongs to and its states as `old` and `new`; the table of each is its own.
    """

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    reason = EncryptedTextField(blank=True)

    old: models.CharField[str, str]
    new: models.CharField[str, str]

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.old} → {self.new}"
