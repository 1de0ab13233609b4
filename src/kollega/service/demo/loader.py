"""Loading the demo service."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from kollega.service import waiting
from kollega.service.demo.people import make_profiles
from kollega.service.demo.places import make_directory, make_offerings
from kollega.service.demo.requests import (
    PLAN,
    backdate,
    make_concern,
    make_request,
    play_coordinator_day,
    walk_case,
)
from kollega.service.models import Case, Status


@transaction.atomic
def load(stdout: Any) -> None:
    if Case.objects.exists():
        stdout.write("Service demo data is already there.")
        return
    rng = random.Random(20250611)
    now = timezone.now()
    profiles = make_profiles()
    offerings = make_offerings(now)
    by_user = {p.user.username: p for p in profiles}
    workers = [p for p in profiles if p.active]
    count = 0
    for target, how_many in PLAN:
        for i in range(how_many):
            age = (
                rng.randint(1, 6)
                if target in (Status.NEW, Status.DECLINED, Status.PROPOSED)
                else rng.randint(8, 80)
            )
            case = make_request(rng, now, age, offerings)
            # Give ingrid and tor work of every kind so that signing in as them shows something.
            if i % 3 == 0:
                counsellor = by_user["ingrid"] if (count // 3) % 2 == 0 else by_user["tor"]
            else:
                counsellor = workers[(count + i) % len(workers)]
            walk_case(case, target, counsellor, rng, offerings)
            backdate(case, rng, now)
            count += 1
    play_coordinator_day(rng, now)
    places = make_directory()
    make_concern()
    # A few cases ended long ago, so the retention task has something to do.
    stale = Case.objects.filter(status__in=[Status.CANCELLED, Status.WITHDRAWN])[:2]
    Case.objects.filter(pk__in=[c.pk for c in stale]).update(ended_at=now - timedelta(days=200))
    waiting.rebuild_tally()
    stdout.write(
        f"Service demo: {len(profiles)} counsellors, {count} requests, {len(offerings)} "
        f"offerings, {len(places)} directory entries, one concern."
    )
