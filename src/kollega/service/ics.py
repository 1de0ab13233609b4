"""Calendar invitations that carry time and place or link only: no reason, no category."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event


def calendar_file(*, uid_seed: str, starts: datetime, ends: datetime, where: str) -> HttpResponse:
    """One VEVENT whose summary is the neutral word "Appointment"."""
    calendar = Calendar()
    calendar.add("prodid", "-//Kollega//service//EN")
    calendar.add("version", "2.0")
    event = Event()
    # The uid must be stable for updates but reveal nothing; hash it with the secret key.
    uid = hashlib.sha256(f"{settings.SECRET_KEY}:{uid_seed}".encode()).hexdigest()[:32]
    event.add("uid", f"{uid}@kollega")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("summary", _("Appointment"))
    if where:
        event.add("location", where)
    calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    response["Cache-Control"] = "no-store"
    return response
