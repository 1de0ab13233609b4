"""What `kollega serve` writes and leaves on the host (issue 24): one time zone in its log, and a
control socket of its own instead of the one every gunicorn of the user shares."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.core.test_process_signals import _env, _free_port, _listening, _wait


def test_the_server_logs_utc_times_and_keeps_its_control_socket_in_var(tmp_path: Path) -> None:
    port = _free_port()
    env = _env(tmp_path, f"sqlite:///{tmp_path / 'kollega.sqlite3'}")
    env.update(HOME=str(tmp_path / "home"), TIME_ZONE="Europe/Oslo")
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "kollega.cli", "serve", "--bind", f"127.0.0.1:{port}"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            assert _wait(lambda: _listening(port), 60)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as answer:
                assert answer.status == 200
            assert (tmp_path / "gunicorn.ctl").exists()
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    text = log.read_text()
    assert "GET /healthz 200" in text
    offsets = re.findall(r"\[[^\]]*\d\d:\d\d:\d\d ([+-]\d{4})\]", text)
    assert len(offsets) >= 2, text
    assert set(offsets) == {"+0000"}, text
    assert not (tmp_path / "home" / ".gunicorn").exists()
