"""A large synthetic history in bulk, for tests of page cost and for bench/pages.py.

Cases are spread over two years, most of them closed with a counsellor; a few wait in the
queue; counsellors have counted load. Nothing goes through the actions: this is the shape of
the data a long-running service has, not a walk through its pages.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from kollega.accounts.models import User
from kollega.service import choices, waiting
from kollega.service.models import Case, CaseStatistic, CounsellorProfile, Status, new_reference


def add_history(
    cases: int, counsellors: int, *, statistics: int = 0, queued: int = 20, seed: int = 1
) -> None:
    rng = random.Random(seed)
    now = timezone.now()
    first = User.objects.count()
    User.objects.bulk_create(
        User(username=f"bulk-{first + i}", first_name=f"Rådgiver{first + i}")
        for i in range(counsellors)
    )
    users = list(User.objects.filter(username__startswith="bulk-").order_by("pk"))[-counsellors:]
    regions = list(choices.Region.values)
    specialties = list(choices.Specialty.values)
    CounsellorProfile.objects.bulk_create(
        CounsellorProfile(
            user=user,
            gender=rng.choice(["female", "male"]),
            region=rng.choice(regions),
            languages=["nb"],
            specialty=rng.choice(specialties),
            employer=f"Legekontor {i % 40}",
            capacity=3,
        )
        for i, user in enumerate(users)
    )
    profiles = list(CounsellorProfile.objects.order_by("-pk")[:counsellors])
    categories = list(choices.Category.values)
    batch = []
    for i in range(cases):
        created = now - timedelta(days=rng.uniform(0.1, 730))
        queue = i < queued
        assigned = None if queue else created + timedelta(hours=rng.uniform(2, 120))
        batch.append(
            Case(
                reference=new_reference(),
                token_hash=f"bulk-{first}-{i}",
                created=created,
                status=Status.NEW if queue else Status.CLOSED,
                category=rng.choice(categories),
                urgent=rng.random() < 0.05,
                region=rng.choice(regions),
                counsellor=None if queue else rng.choice(profiles),
                first_assigned_at=assigned,
                assigned_at=assigned,
                accepted_at=assigned,
                ended_at=None if assigned is None else assigned + timedelta(days=20),
                outcome="" if queue else "helped",
            )
        )
        if len(batch) == 5000:
            Case.objects.bulk_create(batch)
            batch = []
    Case.objects.bulk_create(batch)
    CaseStatistic.objects.bulk_create(
        CaseStatistic(
            month=(now - timedelta(days=rng.uniform(30, 1000))).date().replace(day=1),
            category=rng.choice(categories),
            source="web",
            final_status=Status.CLOSED,
            conversations=rng.randint(0, 3),
            waiting_days=rng.randint(0, 6),
            deleted_by="retention",
        )
        for _ in range(statistics)
    )
    waiting.rebuild_tally()
