"""The deployment files in deploy/ are valid as their tools read them (issue 24): the systemd
units with `systemd-analyze verify`, the nginx site with `nginx -t` and a test certificate.

`make apt-test` installs systemd and nginx from Debian; where they are missing the tests
say so and are skipped rather than passing unchecked, except in CI (`KOLLEGA_CI=1`, set by
`.ci/run`), where a missing tool fails them.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.deploy.conftest import need

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("kollega-*.*"))


def _units_here(tmp_path: Path) -> list[Path]:
    """The units with /opt/kollega replaced by this checkout, so the programs they start exist."""
    copies = []
    for unit in UNITS:
        copy = tmp_path / unit.name
        copy.write_text(unit.read_text(encoding="utf-8").replace("/opt/kollega", str(REPO)))
        copies.append(copy)
    return copies


def test_the_systemd_units_verify_without_a_complaint(tmp_path: Path) -> None:
    analyze = need("systemd-analyze")
    assert {unit.name for unit in UNITS} >= {
        "kollega-web.service",
        "kollega-worker.service",
        "kollega-scheduler.service",
        "kollega-backup.service",
        "kollega-backup.timer",
    }
    copies = _units_here(tmp_path)
    done = subprocess.run(
        [analyze, "verify", "--man=no", *map(str, copies)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # verify exits 0 on an unknown key or a bad value and only says so: any line about our
    # files is a fault.
    ours = [line for line in done.stderr.splitlines() if str(tmp_path) in line]
    assert done.returncode == 0 and not ours, done.stderr


def test_the_verification_notices_a_mistyped_setting(tmp_path: Path) -> None:
    analyze = need("systemd-analyze")
    (copy,) = [c for c in _units_here(tmp_path) if c.name == "kollega-web.service"]
    copy.write_text(copy.read_text().replace("KillMode=", "KilMode="))
    done = subprocess.run(
        [analyze, "verify", "--man=no", str(copy)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Unknown key 'KilMode'" in done.stderr


def test_each_service_unit_runs_as_kollega_hardened_and_stops_cleanly() -> None:
    for unit in UNITS:
        if unit.suffix != ".service":
            continue
        text = unit.read_text(encoding="utf-8")
        for setting in (
            "User=kollega",
            "WorkingDirectory=/opt/kollega",
            "EnvironmentFile=/etc/kollega/kollega.env",
            "NoNewPrivileges=yes",
            "PrivateTmp=yes",
            "ProtectSystem=strict",
            "ProtectHome=yes",
        ):
            assert f"\n{setting}\n" in text, f"{unit.name} lacks {setting}"
        if "Type=oneshot" not in text:
            assert "\nKillMode=mixed\n" in text, unit.name


def test_each_units_documentation_is_where_it_says() -> None:
    """`Documentation=file:///opt/kollega/...` names a file of the checkout installed there."""
    for unit in UNITS:
        text = unit.read_text(encoding="utf-8")
        links = re.findall(r"^Documentation=(.+)$", text, flags=re.MULTILINE)
        assert links, f"{unit.name} has no Documentation="
        for link in " ".join(links).split():
            assert link.startswith("file:///opt/kollega/"), f"{unit.name}: {link}"
            assert (REPO / link.removeprefix("file:///opt/kollega/")).is_file(), link


def test_the_nginx_upload_limit_covers_the_apps_recording_limit() -> None:
    from django.conf import settings

    site = (DEPLOY / "nginx" / "kollega.conf").read_text(encoding="utf-8")
    (megabytes,) = re.findall(r"client_max_body_size (\d+)m;", site)
    assert int(megabytes) > settings.KOLLEGA_MAX_RECORDING_MB


def test_the_nginx_site_passes_nginx_t(tmp_path: Path) -> None:
    nginx = need("nginx")
    openssl = need("openssl")
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=kollega.example.org",
            "-keyout", str(tmp_path / "privkey.pem"), "-out", str(tmp_path / "fullchain.pem"),
        ],
        capture_output=True,
        check=True,
        timeout=60,
    )  # fmt: skip
    site = (DEPLOY / "nginx" / "kollega.conf").read_text(encoding="utf-8")
    site = site.replace("/etc/letsencrypt/live/kollega.example.org", str(tmp_path))
    site = site.replace("/var/log/nginx", str(tmp_path))
    (tmp_path / "kollega.conf").write_text(site)
    # A minimal nginx.conf that includes the site as Debian's includes sites-enabled/*.
    mime = Path("/etc/nginx/mime.types")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        "http {\n"
        + (f"  include {mime};\n" if mime.exists() else "")
        + f"  access_log {tmp_path}/access.log;\n"
        f"  client_body_temp_path {tmp_path}/body;\n"
        f"  proxy_temp_path {tmp_path}/proxy;\n"
        f"  include {tmp_path}/kollega.conf;\n"
        "}\n"
    )
    done = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr and "[warn]" not in done.stderr, done.stderr
