from __future__ import annotations

import subprocess
import sys


def test_importing_the_package_loads_no_model_library() -> None:
    code = (
        "import sys, kollega.speech; "
        "print(sorted(m for m in ('faster_whisper', 'ctranslate2', 'av', 'spacy', 'numpy', "
        "'django') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"


def test_python_dash_m_runs_the_command_line() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "kollega.speech", "--help"],
        check=True,
        capture_output=True,
        text=True,
    )
    assert "transcribe" in out.stdout
    assert "deidentify" in out.stdout
