"""What the deployment tests share: the programs that check the files, found or reported."""

from __future__ import annotations

import os
import shutil

import pytest


def need(name: str) -> str:
    """The path of program ``name``. Where it is missing the test is skipped, except in CI
    (`KOLLEGA_CI=1`, set by `.ci/run`), where `make apt-test` installs it and a missing one
    fails the test: deploy/ must not go unchecked there."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("KOLLEGA_CI"):
            pytest.fail(f"{name} is missing, so this goes unchecked in CI: run make apt-test")
        pytest.skip(f"{name} is not installed")
    return path
