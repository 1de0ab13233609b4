"""Load: the public intake at 50 submissions/s for 60 s against `kollega serve` (gunicorn),
while a task worker runs retention and a coordinator keeps the queue page open.

    .venv/bin/python -u bench/load.py                       # SQLite, and PostgreSQL if reachable
    .venv/bin/python -u bench/load.py --database sqlite     # one database
    .venv/bin/python -u bench/load.py --quick               # 20/s for 10 s, a smoke run

Each run gets a fresh database (a temporary SQLite file, or a new PostgreSQL database on
DATABASE_URL's server, default postgres://postgres@127.0.0.1:5432/postgres, dropped afterwards),
seeded with counsellors, a queue of 150 requests and 400 ended requests past their retention
period. Only 127.0.0.1 is contacted. Every submission goes through the real form: GET the page,
read its CSRF token, POST it with the honeypot empty. The per-address intake limit is turned off
with KOLLEGA_INTAKE_PER_HOUR=0 (every request comes from 127.0.0.1); nothing else is relaxed.

Phases, all against the same server in the same run:
1. the bare view (`/healthz`, the whole middleware stack and nothing else) at the same rate, 20 s;
2. the intake at the rate for the duration (open loop: latency is measured from each
   submission's scheduled start, so a slow server cannot hide its queueing), with retention
   enqueued every 5 s for the worker and a coordinator loading the queue every second;
3. saturation: as many requests as 2 x gunicorn workers clients can get answered in 10 s,
   for the bare view and for intake submissions — the throughput ratio.
Then the check: no errors, and requests stored == successful answers.

Goals (issue 9): intake throughput ≥ 0.5 x the bare view's; intake p99 < 250 ms at 50/s.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/postgres"
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
EXPIRED, QUEUED = 400, 150
# A request not answered in this time is an error; a submission not even started this long
# after the last one was due is given up (counted as an error), so every run is bounded.
TIMEOUT_S = 10
GRACE_S = 30


# --- Inside the server's environment (subprocesses of this script) ---------------------------


def _django() -> None:
    sys.path.insert(0, str(REPO / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kollega.settings")
    import django

    django.setup()


def seed() -> None:
    """Counsellors, a coordinator with a signed-in session, a queue and expired requests."""
    _django()
    from datetime import timedelta
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY

    from kollega.accounts.actions import do_create_staff
    from kollega.core import roles
    from kollega.service import actions
    from kollega.service.models import Case, CounsellorProfile

    password = uuid.uuid4().hex
    user, device = do_create_staff(
        username="coordinator", password=password, roles=[roles.COORDINATOR]
    )
    regions = ["oslo", "vestland", "trondelag", "nordland", "viken", "agder"]
    for number, region in enumerate(regions):
        counsellor, _device = do_create_staff(
            username=f"counsellor{number}", password=password, roles=[roles.COUNSELLOR]
        )
        actions.do_save_counsellor_profile(
            "bench",
            CounsellorProfile(
                user=counsellor, region=region, languages=["nb"], capacity=3, gender="female"
            ),
        )
    for number in range(QUEUED + EXPIRED):
        submitted = actions.do_submit_request(
            source="phone", category="coping", description=f"Seeded request {number}."
        )
        if number >= QUEUED:
            actions.do_cancel_request(submitted.case)
    long_ago = timezone.now() - timedelta(days=settings.KOLLEGA_RETENTION_DAYS + 30)
    Case.objects.filter(status="cancelled").update(ended_at=long_ago)

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    print(json.dumps({"cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"}))


def background(seconds: float) -> None:
    """Enqueue retention for the worker every 5 s for `seconds` (bounded)."""
    _django()
    from kollega.service.tasks import retention

    for _ in range(int(seconds // 5) + 1):
        retention.enqueue()
        time.sleep(5)


def count() -> None:
    _django()
    from kollega.service.models import Case

    print(
        json.dumps(
            {
                "web": Case.objects.filter(source="web").count(),
                "expired_left": Case.objects.filter(status="cancelled").count(),
            }
        )
    )


# --- The load generator -------------------------------------------------------------------


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # seconds
    posts: list[float] = field(default_factory=list)
    ok: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, *, post: float | None = None, error: str = "") -> None:
        with self.lock:
            if error:
                self.errors.append(error)
                return
            self.ok += 1
            self.latencies.append(seconds)
            if post is not None:
                self.posts.append(post)


def _request(
    port: int, method: str, path: str, *, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT_S)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        connection.close()


def _cookie(headers: dict[str, str], name: str) -> str:
    match = re.search(rf"{name}=([^;]+)", headers.get("set-cookie", ""))
    return match.group(1) if match else ""


def bare(port: int, tally: Tally, start: float) -> None:
    try:
        status, _headers, body = _request(port, "GET", "/healthz")
    except OSError as exc:
        tally.add(0, error=f"healthz: {exc}")
        return
    if status != 200 or body != b"ok":
        tally.add(0, error=f"healthz answered {status}")
        return
    tally.add(time.perf_counter() - start)


def submit(port: int, tally: Tally, start: float) -> None:
    """One seeker: load the form, then send it with its CSRF token."""
    try:
        status, headers, page = _request(port, "GET", "/request/")
        match = CSRF.search(page)
        if status != 200 or match is None:
            tally.add(0, error=f"intake form answered {status}")
            return
        form = {
            "csrfmiddlewaretoken": match.group(1).decode(),
            "acute_risk": "no",
            "category": "coping",
            "description": "Jeg sover dårlig etter nattevaktene, og det går ut over jobben.",
            "expectations": "conversation",
            "contact_method": "none",
            "website": "",
        }
        posted = time.perf_counter()
        status, headers, _body = _request(
            port,
            "POST",
            "/request/",
            body=urllib.parse.urlencode(form).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={_cookie(headers, 'csrftoken')}",
            },
        )
    except OSError as exc:
        tally.add(0, error=f"intake: {exc}")
        return
    done = time.perf_counter()
    if status != 302 or "/request/status/" not in headers.get("location", ""):
        tally.add(0, error=f"intake POST answered {status}")
        return
    tally.add(done - start, post=done - posted)


def open_loop(
    action: Callable[[int, Tally, float], None], port: int, rate: float, seconds: float
) -> tuple[Tally, float]:
    """Start `action` at `rate` per second for `seconds`, each on time whatever the others do."""
    tally = Tally()
    total = int(rate * seconds)
    pool = ThreadPoolExecutor(max_workers=128)
    t0 = time.perf_counter() + 0.1
    futures = []
    for number in range(total):
        scheduled = t0 + number / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        futures.append(pool.submit(action, port, tally, scheduled))
    wait(futures, timeout=GRACE_S)
    given_up = sum(future.cancel() for future in futures)
    pool.shutdown(wait=True)
    for _ in range(given_up):
        tally.add(0, error=f"not started within {GRACE_S} s of the run's end")
    return tally, time.perf_counter() - t0


def closed_loop(
    action: Callable[[int, Tally, float], None], port: int, clients: int, seconds: float
) -> tuple[Tally, float]:
    """`clients` clients, each sending its next request when the last is answered."""
    tally = Tally()
    stop = time.perf_counter() + seconds

    def client() -> None:
        while time.perf_counter() < stop:
            action(port, tally, time.perf_counter())

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.perf_counter() - started


def coordinator(port: int, cookie: str, stop: threading.Event, tally: Tally) -> None:
    while not stop.wait(1.0):
        started = time.perf_counter()
        try:
            status, _headers, body = _request(
                port, "GET", "/service/queue/", headers={"Cookie": cookie}
            )
        except OSError as exc:
            tally.add(0, error=f"queue: {exc}")
            continue
        if status != 200 or b"<table" not in body:
            tally.add(0, error=f"queue answered {status}")
        else:
            tally.add(time.perf_counter() - started)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _ms(values: list[float]) -> str:
    return " / ".join(f"{percentile(values, p) * 1000:.0f}" for p in (0.5, 0.95, 0.99))


# --- One run on one database ----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _python(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def _postgres_database(url: str) -> tuple[str, Callable[[], None]] | None:
    import psycopg

    try:
        admin = psycopg.connect(url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        return None
    name = f"kollega_load_{uuid.uuid4().hex[:10]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(url)

    def drop() -> None:
        with psycopg.connect(url, autocommit=True) as again:
            again.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}")), drop


def _drain(port: int) -> None:
    """Wait (at most 3 minutes) until the server has worked off requests its clients gave up
    on, so that one phase's backlog does not count against the next."""
    for _ in range(180):
        started = time.perf_counter()
        try:
            if _request(port, "GET", "/healthz")[0] == 200 and time.perf_counter() - started < 0.5:
                return
        except OSError:
            pass
        time.sleep(1)


def _signal_group(process: subprocess.Popen[bytes], number: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, number)


def _wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise SystemExit("kollega serve stopped while starting")
        try:
            if _request(port, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("kollega serve did not answer within 30 s")


def run(database: str, args: argparse.Namespace) -> dict[str, object]:
    from cryptography.fernet import Fernet

    folder = tempfile.mkdtemp(prefix="kollega-load-")
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(REPO / "src"),
        DJANGO_SETTINGS_MODULE="kollega.settings",
        KOLLEGA_VAR_DIR=folder,
        SECRET_KEY=uuid.uuid4().hex * 2,
        KOLLEGA_DATA_KEYS=Fernet.generate_key().decode(),
        KOLLEGA_HTTPS="0",
        ALLOWED_HOSTS=HOST,
        KOLLEGA_INTAKE_PER_HOUR="0",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        LOG_LEVEL="ERROR",
    )
    env.pop("REDIS_URL", None)
    drop: Callable[[], None] = lambda: None  # noqa: E731
    if database == "postgresql":
        made = _postgres_database(os.environ.get("DATABASE_URL") or PG_DEFAULT)
        if made is None:
            print("PostgreSQL cannot be reached; skipped.")
            return {}
        env["DATABASE_URL"], drop = made
    else:
        env.pop("DATABASE_URL", None)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        _python(env, "-m", "kollega.cli", "migrate", "--no-input", "-v", "0")
        cookie = json.loads(_python(env, __file__, "--seed").strip().splitlines()[-1])["cookie"]
        port = _free_port()
        # Each in its own process group: `kollega serve` and `kollega worker` start children.
        quiet = {
            "stdout": subprocess.DEVNULL,
            "stderr": subprocess.DEVNULL,
            "start_new_session": True,
        }
        server = subprocess.Popen(  # noqa: S603 - `kollega serve` from this tree
            [
                *[sys.executable, "-m", "kollega.cli", "serve"],
                *["--bind", f"{HOST}:{port}", "--workers", str(args.workers)],
            ],
            env=env,
            **quiet,  # type: ignore[call-overload]
        )
        processes.append(server)
        _wait_until_up(port, server)
        processes.append(
            subprocess.Popen([sys.executable, "-m", "kollega.cli", "worker"], env=env, **quiet)  # type: ignore[call-overload]
        )
        for action in (bare, submit):  # warm every worker process
            closed_loop(action, port, args.workers * 2, 2)
        warm_web = int(json.loads(_python(env, __file__, "--count"))["web"])

        print(f"  bare view at {args.rate}/s for {args.bare_seconds} s …", flush=True)
        bare_open, _elapsed = open_loop(bare, port, args.rate, args.bare_seconds)

        _drain(port)
        print(f"  intake at {args.rate}/s for {args.seconds} s, with retention and the queue …")
        processes.append(
            subprocess.Popen(  # noqa: S603 - this script, as the retention trigger
                [sys.executable, __file__, "--background", str(args.seconds)], env=env, **quiet
            )  # type: ignore[call-overload]
        )
        stop = threading.Event()
        queue_tally = Tally()
        watcher = threading.Thread(target=coordinator, args=(port, cookie, stop, queue_tally))
        watcher.start()
        intake_open, elapsed = open_loop(submit, port, args.rate, args.seconds)
        stop.set()
        watcher.join()

        _drain(port)
        clients = args.workers * 2
        print(f"  saturation, {clients} clients, 10 s each …", flush=True)
        bare_max, bare_elapsed = closed_loop(bare, port, clients, 10)
        _drain(port)
        intake_max, intake_elapsed = closed_loop(submit, port, clients, 10)
        time.sleep(1)
        counts = json.loads(_python(env, __file__, "--count"))
    finally:
        for process in reversed(processes):
            _signal_group(process, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
        drop()
        shutil.rmtree(folder, ignore_errors=True)

    answered = warm_web + intake_open.ok + intake_max.ok
    errors = bare_open.errors + intake_open.errors + queue_tally.errors
    errors += bare_max.errors + intake_max.errors
    return {
        "database": database,
        "rate": args.rate,
        "seconds": args.seconds,
        "workers": args.workers,
        "bare_p": _ms(bare_open.latencies),
        "intake_p": _ms(intake_open.latencies),
        "intake_post_p": _ms(intake_open.posts),
        "intake_achieved": intake_open.ok / elapsed,
        "intake_p99_ms": percentile(intake_open.latencies, 0.99) * 1000,
        "queue_loads": queue_tally.ok,
        "queue_p": _ms(queue_tally.latencies),
        "bare_max": bare_max.ok / bare_elapsed,
        "intake_max": intake_max.ok / intake_elapsed,
        "ratio": (intake_max.ok / intake_elapsed) / max(bare_max.ok / bare_elapsed, 1e-9),
        "stored": counts["web"],
        "answered": answered,
        "expired_left": counts["expired_left"],
        "errors": len(errors),
        "first_errors": errors[:5],
        "error_kinds": sorted(
            {error.split(":")[0] + ": " + error.split(":")[-1].strip() for error in errors}
        ),
    }


def report(result: dict[str, object]) -> None:
    print(f"\n### {result['database']}\n")
    print("| measure | value |\n|---|---|")
    rows = [
        ("bare view at the rate, p50 / p95 / p99 (ms)", result["bare_p"]),
        ("intake submission (GET + POST), p50 / p95 / p99 (ms)", result["intake_p"]),
        ("intake POST alone, p50 / p95 / p99 (ms)", result["intake_post_p"]),
        (
            "intake submissions answered per second (offered)",
            f"{result['intake_achieved']:.1f} ({result['rate']})",
        ),
        (
            "coordinator's queue loads, p50 / p95 / p99 (ms)",
            f"{result['queue_p']} ({result['queue_loads']} loads)",
        ),
        ("saturation: bare view requests/s", f"{result['bare_max']:.1f}"),
        ("saturation: intake submissions/s", f"{result['intake_max']:.1f}"),
        ("intake / bare view throughput (goal ≥ 0.5)", f"{result['ratio']:.2f}"),
        ("requests stored / successful answers", f"{result['stored']} / {result['answered']}"),
        ("expired requests left after retention (of 400)", result["expired_left"]),
        ("errors", result["errors"]),
    ]
    for name, value in rows:
        print(f"| {name} | {value} |")
    if result["first_errors"]:
        print("\nfirst errors:", result["first_errors"])
        print("kinds of error:", result["error_kinds"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--bare-seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="20/s for 10 s")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--count", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--background", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        seed()
        return 0
    if args.count:
        count()
        return 0
    if args.background is not None:
        background(args.background)
        return 0
    # Stopped from outside (timeout, Ctrl-C): still stop the server and worker we started.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(1))
    if args.quick:
        args.rate, args.seconds, args.bare_seconds = 20, 10, 5
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    status = 0
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    for database in databases:
        print(f"== {database} ==", flush=True)
        result = run(database, args)
        if not result:
            continue
        report(result)
        failed = result["errors"] or result["stored"] != result["answered"]
        status |= 1 if failed else 0
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")
    return status


if __name__ == "__main__":
    sys.exit(main())
