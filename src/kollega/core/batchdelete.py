"""Delete a large object tree in many short transactions instead of one long one.

On SQLite one transaction holds the only write lock until it ends: deleting a study with its
thousands of transcripts, units and codings in one go kept every other writer (the web pages,
the worker) waiting for half a minute, long enough to fail with "database is locked". Here the
rows that cascade from the object go first, deepest first, a batch per transaction, so no
transaction runs long and others write in between. Django's own cascade (signals, files
removed after commit, SET_NULL updates) still runs, on each small batch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models, transaction
from django.db.models import signals

BATCH_SIZE = 200


def delete_in_batches(
    obj: models.Model,
    *,
    batch_size: int | None = None,
    on_batch: Callable[[type[models.Model], int], None] | None = None,
) -> int:
    """Delete `obj` and everything that cascades from it; returns how many rows went.

    Each batch (at most `batch_size` rows of one model, BATCH_SIZE by default, with what still
    cascades from them) is deleted in its own transaction; `on_batch(model, rows)` is called after each. Not atomic
    as a whole: if it stops half way, what is left is still consistent (children go before
    their parents) and calling it again finishes the job. Rows of a model that has pre_delete
    receivers go one per transaction, with everything below them, so the receivers see what
    they expect.
    """
    queryset = type(obj)._base_manager.filter(pk=obj.pk)
    return _delete(queryset, batch_size or BATCH_SIZE, on_batch, path=())


def _cascading_children(model: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    """(child model, its field pointing at `model`) for each relation that deletes with it."""
    found = []
    for relation in model._meta.related_objects:
        if relation.many_to_many or relation.on_delete is not models.CASCADE:
            continue
        found.append((relation.related_model, relation.field.name))
    return found


def _delete(
    queryset: models.QuerySet[Any],
    batch_size: int,
    on_batch: Callable[[type[models.Model], int], None] | None,
    *,
    path: tuple[type[models.Model], ...],
) -> int:
    model = queryset.model
    deleted = 0
    # A model with pre_delete receivers may look at its children as it goes (the workbench
    # flags what cited a withdrawn transcript through its units): its rows go one at a time,
    # each with Django's own cascade below it. A model that points at itself is left to that
    # cascade too.
    watched = signals.pre_delete.has_listeners(model)
    if watched:
        batch_size = 1
    elif model not in path:
        for child, field in _cascading_children(model):
            children = child._base_manager.filter(**{f"{field}__in": queryset.values("pk")})
            deleted += _delete(children, batch_size, on_batch, path=(*path, model))
    while True:
        with transaction.atomic():
            keys = list(queryset.order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not keys:
                return deleted
            count, _by_model = model._base_manager.filter(pk__in=keys).delete()
        deleted += count
        if on_batch is not None:
            on_batch(model, count)
