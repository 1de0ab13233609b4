"""The web unit is `Type=notify` with `NotifyAccess=main`: systemd counts it started only when
the unit's main process itself says READY=1 on `$NOTIFY_SOCKET`. A READY from a child, or none,
leaves `systemctl start kollega-web` waiting until it fails. Emulated here without systemd: the
unit's own ExecStart= command, with a notify socket that records who sent what.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import struct
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "deploy" / "systemd" / "kollega-web.service"


def _unit_command(port: int) -> list[str]:
    """ExecStart= of the web unit, run from this checkout on a free port."""
    text = UNIT.read_text(encoding="utf-8")
    assert re.search(r"^Type=notify$", text, re.MULTILINE)
    assert re.search(r"^NotifyAccess=main$", text, re.MULTILINE)
    (line,) = re.findall(r"^ExecStart=(.+)$", text, re.MULTILINE)
    words = shlex.split(line)
    args = words[words.index("/opt/kollega/.venv/bin/kollega") + 1 :]
    args[args.index("--bind") + 1] = f"127.0.0.1:{port}"
    args[args.index("--workers") + 1] = "1"
    return [sys.executable, "-m", "kollega.cli", *args]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_web_units_main_process_tells_systemd_it_is_ready(tmp_path: Path) -> None:
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    notify.bind(str(tmp_path / "notify"))
    notify.settimeout(60)  # no READY=1 within a minute: systemd would give up too
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]),
        KOLLEGA_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'kollega.sqlite3'}",
        NOTIFY_SOCKET=str(tmp_path / "notify"),
    )
    process = subprocess.Popen(
        _unit_command(_free_port()),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            message, ancillary, _flags, _address = notify.recvmsg(4096, socket.CMSG_SPACE(12))
            (pid, _uid, _gid) = struct.unpack("iII", ancillary[0][2][:12])
            if b"READY=1" in message:
                break
        assert pid == process.pid, f"READY=1 came from {pid}, not the main process {process.pid}"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        notify.close()
