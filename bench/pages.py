"""Server time of the coordinator's and the seeker's pages with a long history.

    PYTHONPATH=src .venv/bin/python bench/pages.py                 # 100,000 cases, 500 counsellors
    PYTHONPATH=src .venv/bin/python bench/pages.py --cases 10000   # smaller, quicker
    PYTHONPATH=src .venv/bin/python bench/pages.py --queued 5000   # a backlog in the queue
    PYTHONPATH=src .venv/bin/python bench/pages.py --cases 200 --only "public list"  # the list

Builds a fresh SQLite test database (a file), fills it in bulk with `cases` requests over two
years (most closed, some waiting), `counsellors` counsellors and anonymous statistics rows,
then times each page through Django's test client: the whole request inside the server, no
network. Baseline: a bare page (a view that returns two bytes) through the same middleware in
the same run. Goal: every page < 300 ms, and the same number of queries at every size. The
process's CPU time is printed beside the wall time: on a shared machine it is the fairer figure
(SQLite runs in the same process, so it includes the database's work).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.urls import include, path  # noqa: E402


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok")


urlpatterns: list[object] = []  # filled once Django is set up


def add_listings(count: int) -> int:
    """Approved public listings for `count` counsellors (more profiles made when needed), as
    the county leaders' approval leaves them; returns how many are listed."""
    from tests.service.history import add_history

    from kollega.peers.models import Listing
    from kollega.service.models import CounsellorProfile

    missing = count - CounsellorProfile.objects.count()
    if missing > 0:
        add_history(0, missing, queued=0, seed=2)
    made = []
    for n, profile in enumerate(
        CounsellorProfile.objects.select_related("user").order_by("pk")[:count]
    ):
        listing = Listing(
            profile=profile, listed=True, name=str(profile), workplace=profile.employer,
            phone=f"9{n:07d}", email=f"peer{n}@example.invalid", text="Fastlege, lang erfaring.",
        )  # fmt: skip
        listing.published, listing.county = listing.draft(), profile.region
        made.append(listing)
    Listing.objects.bulk_create(made, batch_size=500)
    return len(made)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--counsellors", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--queued", type=int, default=40, help="requests waiting in the queue")
    parser.add_argument(
        "--listed", type=int, default=1000, help="counsellors on the public list (goal < 100 ms)"
    )
    parser.add_argument(
        "--only", default="", help="time only the pages whose name holds this (and the baseline)"
    )
    args = parser.parse_args()
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    urlpatterns[:] = [path("bench-bare/", bare), path("", include("kollega.urls"))]
    settings.ROOT_URLCONF = __name__
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)

    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from tests.cast import make_cast
    from tests.service.conftest import make_profile, submit
    from tests.service.history import add_history

    from kollega.service.models import Case, Status

    cast = make_cast()
    own = make_profile(cast.counsellor)
    started = time.perf_counter()
    add_history(args.cases, args.counsellors, statistics=args.cases // 10, queued=args.queued)
    print(
        f"history: {Case.objects.count():,} cases ({args.queued:,} waiting), "
        f"{args.counsellors} counsellors, "
        f"built in {time.perf_counter() - started:.0f} s"
    )
    with contextlib.suppress(ImportError):  # before the reports app keeps monthly counts
        from kollega.reports.aggregates import refresh

        started = time.perf_counter()
        cells = refresh()  # what the scheduler does every quarter of an hour
        print(
            f"statistics refresh: {cells:,} monthly cells in {time.perf_counter() - started:.1f} s"
        )
    with contextlib.suppress(ImportError):  # before the støttekollega scheme's public list
        listed = add_listings(args.listed)
        print(f"public list: {listed:,} approved listings")
    seeker = submit(avoid_employers="Helse Bergen", pref_language="nb")
    closed = Case.objects.filter(status=Status.CLOSED).order_by("-pk").first()
    assert closed is not None
    # One counsellor with years of work behind them: a share of the closed cases, and three
    # in progress (their capacity), for "my cases".
    mine = Case.objects.filter(status=Status.CLOSED).values_list("pk", flat=True)
    Case.objects.filter(pk__in=list(mine[: max(20, args.cases // 50)])).update(counsellor=own)
    Case.objects.filter(pk__in=list(mine[args.cases // 50 : args.cases // 50 + 3])).update(
        counsellor=own, status=Status.ACCEPTED, ended_at=None, outcome=""
    )
    print(f"my cases: {Case.objects.filter(counsellor=own).count():,} for one counsellor")
    coordinator = cast.coordinator.client()
    pages = [
        ("bare page (baseline)", Client(), "/bench-bare/"),
        ("front page", Client(), "/"),
        ("intake form", Client(), reverse("service:intake")),
        ("seeker's status page", Client(), seeker.url()),
        ("queue", coordinator, reverse("service:queue")),
        (
            "case page, waiting (proposals)",
            coordinator,
            reverse("service:case", args=[seeker.case.pk]),
        ),
        ("case page, closed", coordinator, reverse("service:case", args=[closed.pk])),
        ("my cases (counsellor)", cast.counsellor.client(), reverse("service:my_cases")),
        (
            f"counsellors list ({args.counsellors + 1} profiles)",
            coordinator,
            reverse("service:counsellors"),
        ),
    ]
    with contextlib.suppress(NoReverseMatch):  # before the reports app is installed
        pages.append(("statistics", coordinator, reverse("reports:statistics")))
    with contextlib.suppress(NoReverseMatch):  # before the støttekollega scheme
        pages.append((f"public list ({args.listed:,} listed)", Client(), reverse("peers:list")))
    pages = [p for p in pages if p[2] == "/bench-bare/" or args.only in p[0]]
    print(f"{'page':34} {'median ms':>10} {'CPU ms':>8} {'max ms':>8} {'queries':>8} {'x bare':>8}")
    base = None
    for name, client, url in pages:
        times, cpu = [], []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as captured:
                t0, c0 = time.perf_counter(), time.process_time()
                response = client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
            assert response.status_code == 200, (name, response.status_code)
        median = statistics.median(times)
        base = base or median
        print(
            f"{name:34} {median:10.1f} {statistics.median(cpu):8.1f} {max(times):8.1f} "
            f"{len(captured):8d} {median / base:8.1f}"
        )


if __name__ == "__main__":
    main()
