from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One read or change of something that matters, for the administrators' review.

    Rows are written only through `kollega.core.audit.record()` and are never editable from
    the UI. Details must not hold personal free text; store identifiers and codes.
    """

    created = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("actor label"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type} {self.object_id}"


class SchedulerLease(models.Model):
    """Which scheduler may enqueue periodic tasks: one row, held until `expires`.

    A scheduler renews its lease at every tick; a second scheduler (another machine, a unit
    started twice) waits until the lease has run out, so periodic tasks are enqueued once.
    """

    holder = models.CharField(max_length=200)
    expires = models.DateTimeField()

    class Meta:
        verbose_name = _("scheduler lease")
        verbose_name_plural = _("scheduler leases")

    def __str__(self) -> str:
        return f"{self.holder} until {self.expires:%Y-%m-%d %H:%M:%S}"


class PeriodicRun(models.Model):
    """When a periodic task was last enqueued, so that a restarted scheduler does not enqueue
    everything again at once."""

    name = models.CharField(max_length=255, unique=True)
    last_enqueued = models.DateTimeField()

    class Meta:
        verbose_name = _("periodic run")
        verbose_name_plural = _("periodic runs")

    def __str__(self) -> str:
        return f"{self.name} at {self.last_enqueued:%Y-%m-%d %H:%M:%S}"
