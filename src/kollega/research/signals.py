"""Recording files go when their row goes, however it was deleted (withdrawal cascades)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from kollega.research.models import Recording


@receiver(post_delete, sender=Recording)
def delete_recording_file(sender: type[Recording], instance: Recording, **kwargs: Any) -> None:
    name = instance.file.name
    storage = instance.file.storage
    if name:
        # After commit: a rolled-back delete must not lose the file.
        transaction.on_commit(lambda: storage.delete(name))
