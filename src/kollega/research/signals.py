"""Recording files go when their row goes, however it was deleted (withdrawal cascades).
Invitations still waiting for an answer go when the service deletes the case they went to."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from kollega.research.models import Invitation, InvitationStatus, Recording
from kollega.service.models import Case


@receiver(post_delete, sender=Recording)
def delete_recording_file(sender: type[Recording], instance: Recording, **kwargs: Any) -> None:
    name = instance.file.name
    storage = instance.file.storage
    if name:
        # After commit: a rolled-back delete must not lose the file.
        transaction.on_commit(lambda: storage.delete(name))


@receiver(post_delete, sender=Case)
def drop_unanswerable_invitations(sender: type[Case], instance: Case, **kwargs: Any) -> None:
    # Nobody can answer them any more. Participants stay: their consent outlives the case.
    if instance.research_id is not None:
        Invitation.objects.filter(
            link=instance.research_id, status=InvitationStatus.PENDING
        ).delete()
