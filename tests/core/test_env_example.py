"""`.env.example` loads the two ways the guide says (issue 24): in a shell with
`set -a; . file` and as a systemd EnvironmentFile, with the same values both ways."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / ".env.example"


def _shell(path: Path) -> dict[str, str]:
    """The variables bash exports after `set -a; . path`, in an otherwise empty environment."""
    done = subprocess.run(
        ["/bin/bash", "-c", 'set -a; . "$1"; set +a; env -0', "bash", str(path)],
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == b"", done.stderr.decode()
    pairs = (item.split("=", 1) for item in done.stdout.decode().split("\0") if "=" in item)
    return {name: value for name, value in pairs if name not in {"PATH", "PWD", "SHLVL", "_"}}


def systemd_environment_file(text: str) -> dict[str, str]:
    """Parse `text` by systemd's EnvironmentFile rules (systemd.exec(5)).

    Lines starting with # or ; are comments; a line ending in a backslash goes on; KEY=VALUE
    with whitespace around the value dropped; a value in double quotes keeps its spaces and
    knows the escapes \\" \\\\ \\$ \\`; single quotes keep everything. No variable is expanded.
    """
    result: dict[str, str] = {}
    lines = text.splitlines()
    joined: list[str] = []
    buffer = ""
    for line in lines:
        if not buffer and line.lstrip().startswith(("#", ";")):
            continue
        if line.endswith("\\") and not line.endswith("\\\\"):
            buffer += line[:-1]
            continue
        joined.append(buffer + line)
        buffer = ""
    for line in joined:
        line = line.strip()
        if not line:
            continue
        name, sep, raw = line.partition("=")
        assert sep, f"not an assignment: {line!r}"
        name, raw = name.strip(), raw.strip()
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name), f"bad name: {name!r}"
        value = ""
        index = 0
        while index < len(raw):
            char = raw[index]
            if char == '"':
                end = index + 1
                while raw[end] != '"':
                    if raw[end] == "\\" and raw[end + 1] in '"\\`$':
                        end += 1
                    value += raw[end]
                    end += 1
                index = end + 1
            elif char == "'":
                end = raw.index("'", index + 1)
                value += raw[index + 1 : end]
                index = end + 1
            else:
                value += char
                index += 1
        result[name] = value
    return result


def test_the_example_loads_the_same_in_a_shell_and_in_systemd() -> None:
    shell = _shell(EXAMPLE)
    systemd = systemd_environment_file(EXAMPLE.read_text(encoding="utf-8"))
    assert shell == systemd
    assert systemd["KOLLEGA_EMERGENCY_NUMBERS"] == (
        "113=Medisinsk nødtelefon,116 117=Legevakt,116 123=Mental Helse hjelpetelefon"
    )


def test_the_parser_follows_systemds_quoting() -> None:
    parsed = systemd_environment_file(
        '# comment\n; comment\nA=one two\nB="x y" \nC=\'$HOME\'\nD="a\\"b"\nE=1\\\n2\n'
    )
    assert parsed == {"A": "one two", "B": "x y", "C": "$HOME", "D": 'a"b', "E": "12"}


def test_every_variable_in_the_example_is_read() -> None:
    source = "\n".join(
        path.read_text(encoding="utf-8") for path in (REPO / "src" / "kollega").rglob("*.py")
    )
    for name in systemd_environment_file(EXAMPLE.read_text(encoding="utf-8")):
        assert f'"{name}"' in source or f"'{name}'" in source, f"{name} is not read anywhere"


def test_settings_read_the_example_as_a_shell_loads_it(tmp_path: Path) -> None:
    env = {
        **_shell(EXAMPLE),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(REPO / "src"),
        "SECRET_KEY": "s" * 50,
        "KOLLEGA_DATA_KEYS": "aSmzt-6wBJq1uEy8a7uWh9JQGuI7XNqMt2ckX2mCdHY=",
        "KOLLEGA_VAR_DIR": str(tmp_path),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "DJANGO_SETTINGS_MODULE": "kollega.settings",
    }
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings as s; "
            "print(len(s.KOLLEGA_EMERGENCY_NUMBERS)); print(s.EMAIL_FILE_PATH)",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["3", str(tmp_path / "mail")]
