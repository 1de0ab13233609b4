"""The monthly counts give the same statistics as counting every request directly."""

from __future__ import annotations

import random
import statistics as pystats
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from kollega.core.schedule import periodic_tasks
from kollega.peers.models import Channel, Registration, RegistrationStatistic
from kollega.peers.stats import concern_tables
from kollega.reports.aggregates import refresh
from kollega.reports.stats import HIDDEN, Period, build, suppress
from kollega.service import actions, choices
from kollega.service.models import (
    Case,
    CaseStatistic,
    Concern,
    ConcernStatistic,
    ConcernStatus,
    Conversation,
    Feedback,
    Referral,
    Status,
    new_reference,
)
from tests.cast import Cast, make_member
from tests.service.conftest import make_profile
from tests.service.history import add_history


def _maybe(rng: random.Random, values: list[str]) -> str:
    return rng.choice([*values, ""])


def random_history(seed: int, cases: int = 150) -> None:
    """Requests over two years with every answer varied, some with conversations, referrals
    and feedback, some deleted (by the real action) and some old anonymous rows besides."""
    rng = random.Random(seed)
    now = timezone.now()
    made = []
    for i in range(cases):
        created = now - timedelta(days=rng.uniform(0, 730), minutes=rng.uniform(0, 600))
        assigned = None if rng.random() < 0.2 else created + timedelta(hours=rng.uniform(1, 400))
        closed = assigned is not None and rng.random() < 0.7
        made.append(
            Case(
                reference=new_reference(),
                token_hash=f"random-{seed}-{i}",
                created=created,
                status=Status.CLOSED if closed else (Status.NEW if assigned is None else Status.ACCEPTED),
                category=rng.choice(list(choices.Category.values)),
                expectations=rng.sample(list(choices.Expectation.values), rng.randint(0, 3)),
                gender=_maybe(rng, list(choices.Gender.values)),
                age_band=_maybe(rng, list(choices.AgeBand.values)),
                specialty=_maybe(rng, list(choices.Specialty.values)),
                region=_maybe(rng, list(choices.Region.values)),
                first_assigned_at=assigned,
                ended_at=created + timedelta(days=30) if closed else None,
                outcome=_maybe(rng, list(choices.Outcome.values)) if closed else "",
            )
        )  # fmt: skip
    Case.objects.bulk_create(made)
    for case in Case.objects.filter(token_hash__startswith=f"random-{seed}-"):
        if case.first_assigned_at is None:
            continue
        for _ in range(rng.choice([0, 0, 1, 2, 3, 5])):
            Conversation.objects.create(
                case=case, mode="phone", minutes=30,
                held_on=timezone.localtime(case.first_assigned_at).date() + timedelta(days=rng.randint(0, 40)),
            )  # fmt: skip
        for kind in rng.sample(list(choices.ReferralKind.values), rng.randint(0, 2)):
            Referral.objects.create(case=case, kind=kind, consent=True)
            if rng.random() < 0.3:  # the same kind twice counts once
                Referral.objects.create(case=case, kind=kind, consent=True)
        if case.status == Status.CLOSED and rng.random() < 0.5:
            Feedback.objects.create(
                case=case, month=timezone.localtime(case.created).date().replace(day=1),
                helpfulness=rng.randint(1, 5), would_recommend=rng.choice([True, False, None]),
            )  # fmt: skip
    for case in Case.objects.filter(token_hash__startswith=f"random-{seed}-", status=Status.CLOSED):
        if rng.random() < 0.4:
            actions.do_delete_case_data(case, deleted_by="retention")
    CaseStatistic.objects.bulk_create(
        CaseStatistic(
            month=(now - timedelta(days=rng.uniform(0, 900))).date().replace(day=1),
            category=rng.choice(list(choices.Category.values)),
            source="web",
            expectations=rng.sample(list(choices.Expectation.values), rng.randint(0, 2)),
            gender=_maybe(rng, list(choices.Gender.values)),
            region=_maybe(rng, list(choices.Region.values)),
            final_status=rng.choice([Status.CLOSED, Status.CANCELLED]),
            outcome=_maybe(rng, list(choices.Outcome.values)),
            conversations=rng.randint(0, 6),
            referrals=rng.sample(list(choices.ReferralKind.values), rng.randint(0, 2)),
            waiting_days=rng.choice([None, rng.randint(0, 30)]),
            deleted_by="retention",
        )
        for _ in range(40)
    )


def _codes(rng: random.Random) -> dict[str, str]:
    """A registered contact's codes, varied, the optional ones sometimes not given."""
    return {
        "channel": rng.choice(list(Channel.values)),
        "category": rng.choice(list(choices.Category.values)),
        "gender": _maybe(rng, list(choices.Gender.values)),
        "age_band": _maybe(rng, list(choices.AgeBand.values)),
        "specialty": _maybe(rng, list(choices.Specialty.values)),
        "county": _maybe(rng, list(choices.Region.values)),
        "referral": _maybe(rng, list(choices.ReferralKind.values)),
    }


def random_registrations(seed: int, count: int = 60) -> None:
    """Contacts counsellors registered outside Kollega over two years, answers varied."""
    rng = random.Random(seed)
    profile = make_profile(make_member(f"registrar{seed}", "counsellor"))
    today = timezone.localdate()
    for _ in range(count):
        first = today - timedelta(days=rng.randint(0, 730))
        registration = Registration(counsellor=profile, scheme_county=profile.region, **_codes(rng))
        registration.set_dates([first + timedelta(days=n) for n in range(rng.randint(1, 3))])
        registration.save()
    # What retention left of older ones: no counsellor, no dates.
    for _ in range(count // 3):
        RegistrationStatistic.objects.create(
            month=(today - timedelta(days=rng.randint(0, 730))).replace(day=1),
            scheme_county=profile.region,
            conversations=rng.randint(1, 3),
            **_codes(rng),
        )


def random_concerns(seed: int, count: int = 40) -> None:
    """Concerns raised over two years, in every state, and what retention left of others."""
    rng = random.Random(seed)
    now = timezone.now()
    for n in range(count):
        status = rng.choice(list(ConcernStatus.values))
        Concern.objects.create(
            reference=f"B{seed:04d}{n:04d}", token_hash=f"{seed}-{n}",
            created=now - timedelta(days=rng.randint(0, 730)),
            relation=rng.choice(list(choices.ConcernRelation.values)),
            region=rng.choice(list(choices.Region.values)),
            doctor_name="Dr. Test", worry="Bekymret.", status=status,
            outcome=_maybe(rng, list(choices.ConcernOutcome.values))
            if status == ConcernStatus.DONE else "",
        )  # fmt: skip
        ConcernStatistic.objects.create(
            month=(now - timedelta(days=rng.randint(0, 730))).date().replace(day=1),
            region=rng.choice(list(choices.Region.values)),
            relation=rng.choice(list(choices.ConcernRelation.values)),
            final_status=rng.choice([ConcernStatus.DONE, ConcernStatus.WITHDRAWN]),
            outcome=_maybe(rng, list(choices.ConcernOutcome.values)),
        )


def direct(period: Period) -> dict[str, list[tuple[str, list[object]]]]:
    """Every count table and the waiting times, counted request by request from the models."""
    start, stop = period.bounds()
    live = list(Case.objects.filter(created__gte=start, created__lt=stop))
    gone = list(CaseStatistic.objects.filter(month__gte=period.start, month__lt=period.stop))
    registered = list(
        Registration.objects.filter(first_on__gte=period.start, first_on__lt=period.stop)
    )
    kept = list(
        RegistrationStatistic.objects.filter(month__gte=period.start, month__lt=period.stop)
    )
    requests = [*live, *gone]
    month = {c.pk: timezone.localtime(c.created).date().replace(day=1) for c in live}
    # A registered contact answers like a request; its county is the colleague's region.
    answers = [*requests, *({**r.__dict__, "region": r.county} for r in [*registered, *kept])]

    def table(
        counts: Counter[str], order: list[tuple[object, object]]
    ) -> list[tuple[str, list[object]]]:
        return [(str(label), [suppress(counts[str(code)])]) for code, label in order]

    found: dict[str, list[tuple[str, list[object]]]] = {}
    found["month_category"] = [
        (f"{m:%Y-%m}", [suppress(
            sum(1 for c in live if month[c.pk] == m and c.category == code)
            + sum(1 for s in gone if s.month == m and s.category == code)
            + sum(1 for r in registered if r.first_on.replace(day=1) == m and r.category == code)
            + sum(1 for r in kept if r.month == m and r.category == code)
        ) for code, _l in choices.Category.choices])
        for m in period.months()
    ]  # fmt: skip
    found["expectations"] = table(
        Counter(e for r in requests for e in set(r.expectations)), list(choices.Expectation.choices)
    )
    for name, vocabulary in (("gender", choices.Gender), ("age_band", choices.AgeBand),
                             ("specialty", choices.Specialty), ("region", choices.Region)):  # fmt: skip
        found[name] = table(
            Counter(r[name] if isinstance(r, dict) else getattr(r, name) for r in answers),
            [*vocabulary.choices, ("", "Not given")],
        )
    held = [c.conversations.count() for c in live] + [s.conversations for s in gone]
    held += [r.conversations for r in [*registered, *kept]]
    found["conversations"] = table(
        Counter(str(min(4, n)) for n in held), [(0, "0"), (1, "1"), (2, "2"), (3, "3"), (4, "4+")]
    )
    found["referrals"] = table(
        Counter(k for c in live for k in {r.kind for r in c.referrals.all()})
        + Counter(k for s in gone for k in set(s.referrals))
        + Counter(r.referral for r in [*registered, *kept] if r.referral),
        list(choices.ReferralKind.choices),
    )
    found["way"] = table(
        Counter(["intake"] * len(requests)) + Counter(r.channel for r in [*registered, *kept]),
        [("intake", "Kollega's request form"), *Channel.choices],
    )
    found["outcomes"] = table(
        Counter(r.outcome for r in live if r.status == Status.CLOSED)
        + Counter(s.outcome for s in gone if s.final_status == Status.CLOSED),
        [*choices.Outcome.choices, ("", "Not given")],
    )
    feedback = list(Feedback.objects.filter(month__gte=period.start, month__lt=period.stop))
    found["feedback"] = table(
        Counter(str(f.helpfulness) for f in feedback), [(n, n) for n in range(1, 6)]
    )
    found["recommend"] = table(
        Counter({True: "yes", False: "no", None: ""}[f.would_recommend] for f in feedback),
        [("yes", "Yes"), ("no", "No"), ("", "Not given")],
    )

    def quantiles(days: list[int]) -> list[object]:
        if len(days) < 5:
            return [suppress(len(days)), None, None]
        ordered = sorted(days)
        p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
        return [len(days), round(float(pystats.median(ordered)), 1), round(float(p90), 1)]

    to_match = [d for d in (c.waiting_days() for c in live) if d is not None]
    to_match += [s.waiting_days for s in gone if s.waiting_days is not None]
    to_talk = [
        (c.conversations.order_by("held_on")[0].held_on - timezone.localtime(c.created).date()).days
        for c in live
        if c.conversations.exists()
    ]
    found["times"] = [
        ("To a counsellor", quantiles(to_match)),
        ("To the first conversation", quantiles(to_talk)),
    ]
    concerns = [
        (c.relation, c.status, c.outcome)
        for c in Concern.objects.filter(created__gte=start, created__lt=stop)
    ] + [
        (s.relation, s.final_status, s.outcome)
        for s in ConcernStatistic.objects.filter(month__gte=period.start, month__lt=period.stop)
    ]

    def came_of(status: str, outcome: str) -> str:
        if status == ConcernStatus.DONE:
            return outcome or "done"
        return "withdrawn" if status == ConcernStatus.WITHDRAWN else "open"

    vocabularies = concern_tables()
    found["concern_relation"] = table(
        Counter(relation for relation, _s, _o in concerns), vocabularies["concern_relation"][1]
    )
    found["concern_outcome"] = table(
        Counter(came_of(status, outcome) for _r, status, outcome in concerns),
        vocabularies["concern_outcome"][1],
    )
    return found


@pytest.mark.parametrize("seed", [3, 17, 2026])
def test_the_monthly_counts_equal_counting_every_request(db: None, seed: int) -> None:
    random_history(seed)
    random_registrations(seed)
    random_concerns(seed)
    refresh()
    today = timezone.localdate()
    rng = random.Random(seed)
    periods = [Period.year(today.year), Period.last_full_year(today)]
    for _ in range(3):
        periods.append(Period.month(today.year - rng.randint(0, 2), rng.randint(1, 12)))
    for period in periods:
        with translation.override("en"):
            tables = {t.key: t.rows for t in build(period) if t.key != "load"}
            expected = direct(period)
        assert tables.keys() == expected.keys()
        for key, rows in expected.items():
            assert agrees(tables[key], rows), (period, key, tables[key], rows)


def agrees(built: list[tuple[str, list[object]]], counted: list[tuple[str, list[object]]]) -> bool:
    """The same rows and figures, where a count withheld to protect another (":") may be any
    figure and takes its row's median and percentile with it."""
    if [label for label, _cells in built] != [label for label, _cells in counted]:
        return False
    for (_label, cells), (_l, expected) in zip(built, counted, strict=True):
        for cell, figure in zip(cells, expected, strict=True):
            if cell is HIDDEN or (cell is None and cells[0] is HIDDEN):
                continue
            if cell != figure:
                return False
    return True


def test_deleting_by_retention_keeps_the_statistics(db: None) -> None:
    random_history(5)
    refresh()
    period = Period.year(timezone.localdate().year)
    before = {t.key: t.rows for t in build(period) if t.key not in {"times", "load"}}
    for case in Case.objects.filter(status=Status.CLOSED):
        actions.do_delete_case_data(case, deleted_by="retention")
    refresh()
    after = {t.key: t.rows for t in build(period) if t.key not in {"times", "load"}}
    assert after == before
    assert not Case.objects.filter(status=Status.CLOSED).exists()


def test_the_page_reads_the_same_number_of_queries_after_history_is_counted(cast: Cast) -> None:
    make_profile(cast.counsellor)
    client = cast.coordinator.client("en")
    url = reverse("reports:statistics")

    def count() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured), response.content.decode()

    refresh()
    before, _body = count()
    add_history(400, 40, statistics=60, queued=5)
    random_history(9, cases=60)
    refresh()
    after, body = count()
    assert after == before
    assert "Figures as of" in body


def test_the_scheduler_refreshes_the_counts() -> None:
    names = [periodic.name for periodic in periodic_tasks()]
    assert "kollega.reports.tasks.refresh_statistics" in names
