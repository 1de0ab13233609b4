"""The `kollega` command: serve, worker, demo, stc, speech, bench, and every manage.py command.

`kollega stc …` and `kollega speech …` run the pure libraries without starting Django.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

USAGE = """usage: kollega COMMAND [ARGS...]

commands:
  serve [--bind HOST:PORT] [--workers N]   serve the web application (gunicorn)
  worker                                    run the background task worker
  scheduler                                 enqueue periodic tasks (run exactly one)
  demo [--bind HOST:PORT]                   prepare the demo database and serve it with a worker
  demo-otp USERNAME                         print the current sign-in code of a demo user
  make-data-key                             print a new key for KOLLEGA_DATA_KEYS
  stc SUBCOMMAND ...                        systematic text condensation (see: kollega stc --help)
  speech SUBCOMMAND ...                     transcription and de-identification (see: kollega speech --help)
  bench [NAME]                              run the benchmarks in bench/
  any manage.py command                     e.g. kollega migrate, kollega create_admin NAME
"""


def _django_manage(argv: Sequence[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kollega.settings")
    # Imported when the command runs, so the other commands and --help start without it.
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["kollega", *argv])
    except ImproperlyConfigured as exc:
        # A missing or mistyped variable is the operator's to fix: one line, not a traceback.
        print(f"kollega: the configuration is not usable: {exc}", file=sys.stderr)
        return 2
    return 0


def _worker_command() -> list[str]:
    manage = [sys.executable, "-m", "kollega.cli"]
    if os.environ.get("REDIS_URL"):
        return [*manage, "rqworker", "default", "--job-class", "django_tasks_rq.Job"]
    # Not db_worker itself: run_worker waits out a locked or unreachable database.
    return [*manage, "run_worker"]


def _control_socket() -> str:
    """gunicorn's control socket, one per installation (KOLLEGA_VAR_DIR), not one per user.

    gunicorn's default, ~/.gunicorn/gunicorn.ctl, is shared by every gunicorn the user runs on
    the host: a second instance would take over the first one's socket.
    """
    var = Path(os.environ.get("KOLLEGA_VAR_DIR") or Path(__file__).resolve().parents[2] / "var")
    var.mkdir(mode=0o700, parents=True, exist_ok=True)
    return str(var / "gunicorn.ctl")


def _serve_command(bind: str, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "kollega.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        # Recording uploads are decoded in the request to check them; give long ones time.
        "--timeout",
        "300",
        "--access-logfile",
        "-",
        "--access-logformat",
        # No query strings or referrers, and status-link tokens redacted (GunicornLogger).
        "%(t)s %(m)s %(U)s %(s)s %(L)ss",
        "--logger-class",
        "kollega.core.redact.GunicornLogger",
        "--control-socket",
        _control_socket(),
    ]


def _exec(command: list[str]) -> int:
    """Become `command` (same pid): a service manager's SIGTERM, SIGHUP (gunicorn reloads) or
    SIGINT then reaches gunicorn or the worker itself, and nothing is left behind when it
    stops."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(command[0], command)  # noqa: S606  (our own argv, no shell)
    return 127  # not reached: execv returns only by raising


def _option(argv: list[str], name: str, default: str) -> str:
    if name in argv:
        index = argv.index(name)
        if index + 1 < len(argv):
            return argv[index + 1]
    return default


def _write_demo_study() -> None:
    """Run the synthetic demo study through the STC command line into var/demo-study/."""
    # Imported when the command runs, so the other commands and --help start without it.
    from kollega.stc.cli import main as stc_main

    var = Path(os.environ.get("KOLLEGA_VAR_DIR") or Path(__file__).resolve().parents[2] / "var")
    out = var / "demo-study"
    out.mkdir(parents=True, exist_ok=True)
    project = str(out / "project.json")
    steps = [
        ["-q", "import", "--demo", "-o", project],
        ["-q", "report", project, "-o", str(out / "report.md")],
        ["-q", "export", "--qdpx", project, "-o", str(out / "demo-study.qdpx"), "--validate"],
    ]
    for step in steps:
        if stc_main(step) != 0:
            print(f"The demo study could not be written: kollega stc {' '.join(step)}")
            return
    print(f"Demo STC study (six synthetic interviews, all four steps): {out}/")
    print("  report.md, and demo-study.qdpx to open in NVivo, ATLAS.ti, MAXQDA or QualCoder")


def _run_together(
    commands: list[list[str]],
    *,
    max_restarts: int = 5,
    window: float = 60.0,
    poll: float = 1.0,
) -> int:
    """Run the web server, worker and scheduler side by side until Ctrl-C or SIGTERM.

    A child that stops is started again, so that one failure (a worker meeting a locked
    database) does not take the others down; a child that stops more than `max_restarts`
    times within `window` seconds is broken, not unlucky, and then everything stops.
    Returns 0 after Ctrl-C or SIGTERM, else the broken child's exit status.
    """

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # A service manager stops us with SIGTERM; treat it like Ctrl-C so the children stop too.
    previous = signal.signal(signal.SIGTERM, stop)
    processes = [subprocess.Popen(command) for command in commands]
    restarts: list[list[float]] = [[] for _ in commands]
    status = 0
    try:
        while True:
            for index, process in enumerate(processes):
                if process.poll() is None:
                    continue
                now = time.monotonic()
                recent = [t for t in restarts[index] if now - t < window]
                name = _child_name(commands[index])
                if len(recent) >= max_restarts:
                    print(
                        f"kollega: {name} stopped {len(recent) + 1} times within "
                        f"{window:.0f} s (exit status {process.returncode}); stopping everything.",
                        file=sys.stderr,
                    )
                    status = process.returncode or 1
                    raise KeyboardInterrupt
                print(
                    f"kollega: {name} stopped (exit status {process.returncode}); starting it "
                    "again.",
                    file=sys.stderr,
                )
                restarts[index] = [*recent, now]
                processes[index] = subprocess.Popen(commands[index])
            time.sleep(poll)
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        signal.signal(signal.SIGTERM, previous)
    return status


def _child_name(command: list[str]) -> str:
    """'run_worker' for `python -m kollega.cli run_worker`, 'gunicorn' for `python -m gunicorn`."""
    if len(command) > 2 and command[1] == "-m":
        return command[3] if command[2] == "kollega.cli" and len(command) > 3 else command[2]
    return Path(command[0]).name


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"} or args == ["help"]:
        print(USAGE)
        return 0
    command, rest = args[0], args[1:]
    if command == "stc":
        # Imported when the command runs, so the other commands and --help start without it.
        from kollega.stc.cli import main as stc_main

        return int(stc_main(rest))
    if command == "speech":
        # Imported when the command runs, so the other commands and --help start without it.
        from kollega.speech.cli import main as speech_main

        return int(speech_main(rest))
    if command == "make-data-key":
        # Imported when the command runs, so the other commands and --help start without it.
        from cryptography.fernet import Fernet

        print(Fernet.generate_key().decode("ascii"))
        return 0
    if command == "bench":
        bench_dir = Path(__file__).resolve().parents[2] / "bench"
        names = rest or sorted(p.stem for p in bench_dir.glob("*.py") if not p.stem.startswith("_"))
        status = 0
        for name in names:
            status |= subprocess.call([sys.executable, str(bench_dir / f"{name}.py")])
        return status
    if command == "serve":
        return _exec(
            _serve_command(
                _option(rest, "--bind", "127.0.0.1:8000"), int(_option(rest, "--workers", "3"))
            )
        )
    if command == "worker":
        return _exec(_worker_command())
    if command == "scheduler":
        return _django_manage(["run_scheduler", *rest])
    if command == "demo":
        os.environ["KOLLEGA_DEMO"] = "1"
        bind = _option(rest, "--bind", "127.0.0.1:8000")
        # The worker and scheduler write the links in e-mails: they must name this address too.
        os.environ.setdefault("SITE_URL", f"http://{bind}")
        _django_manage(["migrate", "--no-input", "-v", "0"])
        _django_manage(["load_demo", "--site-url", f"http://{bind}"])
        _write_demo_study()
        scheduler = [sys.executable, "-m", "kollega.cli", "run_scheduler"]
        return _run_together([_serve_command(bind, 2), _worker_command(), scheduler])
    if command == "demo-otp":
        return _django_manage(["demo_otp", *rest])
    return _django_manage(args)


if __name__ == "__main__":
    sys.exit(main())
