"""`kollega serve` and `kollega worker` are the processes a service manager signals (issue 24).

They used to start gunicorn or the worker as a child and ignore what the manager sent: SIGTERM
stopped the `kollega` process and left the real server holding its port, and SIGHUP (reload)
ended it instead of reloading gunicorn.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection

REPO = Path(__file__).resolve().parents[2]


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the fields follow the last ')'.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait(condition: Callable[[], bool], seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "kollega.cli", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _env(tmp_path: Path, database: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]),
        KOLLEGA_VAR_DIR=str(tmp_path),
        DATABASE_URL=database,
    )
    return env


def _stop_everything(process: subprocess.Popen[bytes], children: set[int]) -> None:
    for pid in [process.pid, *children]:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=10)


def test_it_stops_the_web_server_and_all_its_workers_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    env = _env(tmp_path, f"sqlite:///{tmp_path / 'kollega.sqlite3'}")
    process = _start(["serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"], env)
    children: set[int] = set()
    try:
        assert _wait(lambda: _listening(port), 60), "the server never listened"
        assert _wait(lambda: bool(_children(process.pid)), 30)
        children = _children(process.pid)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        assert _wait(lambda: not _listening(port), 10), "something still listens on the port"
        assert _wait(lambda: not any(_alive(pid) for pid in children), 10), "a child is left"
    finally:
        _stop_everything(process, children)


def test_sighup_reloads_the_web_server_instead_of_ending_it(tmp_path: Path) -> None:
    port = _free_port()
    env = _env(tmp_path, f"sqlite:///{tmp_path / 'kollega.sqlite3'}")
    process = _start(["serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"], env)
    children: set[int] = set()
    try:
        assert _wait(lambda: _listening(port), 60), "the server never listened"
        assert _wait(lambda: bool(_children(process.pid)), 30)
        before = _children(process.pid)
        process.send_signal(signal.SIGHUP)
        # gunicorn starts new workers and stops the old ones; the process itself lives on.
        assert _wait(lambda: bool(_children(process.pid) - before), 30), "no new worker"
        assert process.poll() is None
        assert _listening(port)
        children = _children(process.pid) | before
    finally:
        _stop_everything(process, children)


@pytest.mark.django_db(transaction=True)
def test_it_stops_the_task_worker_on_sigterm(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the worker is pointed at the SQLite test database")
    env = _env(tmp_path, f"sqlite:///{connection.settings_dict['NAME']}")
    process = _start(["worker"], env)
    children: set[int] = set()
    try:
        # Give it time to import Django and start polling, as a service manager would.
        time.sleep(3)
        children = _children(process.pid)
        assert process.poll() is None, "the worker stopped by itself"
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        assert _wait(lambda: not any(_alive(pid) for pid in children), 10), "a child is left"
    finally:
        _stop_everything(process, children)
