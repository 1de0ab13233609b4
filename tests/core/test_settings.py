"""Start-up refuses bad or missing configuration with a message that names the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from kollega.conf import env_bool, env_int
from tests.settings import TEST_DATA_KEYS

PRODUCTION_ENV = {
    "SECRET_KEY": "p" * 20 + "-Zq8#vK2$mW9!xR4@nB7&tY1*hJ6^cF3%gD5",
    "KOLLEGA_DATA_KEYS": TEST_DATA_KEYS[0],
    "ALLOWED_HOSTS": "kollega.example.org",
    "DJANGO_SETTINGS_MODULE": "kollega.settings",
}


def _django(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KOLLEGA_", "DJANGO_", "SECRET_KEY", "DEBUG"))
    }
    clean.pop("DATABASE_URL", None)
    clean.pop("REDIS_URL", None)
    clean["KOLLEGA_VAR_DIR"] = os.environ["KOLLEGA_VAR_DIR"]
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_variables() -> None:
    result = _django(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key() -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _django(["check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_refuses_to_start_without_data_keys() -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "KOLLEGA_DATA_KEYS"}
    result = _django(["check"], env)
    assert result.returncode != 0
    assert "KOLLEGA_DATA_KEYS is not set" in result.stderr


def test_it_reads_the_secret_key_from_a_file(tmp_path) -> None:
    secret = tmp_path / "secret"
    secret.write_text(PRODUCTION_ENV["SECRET_KEY"] + "\n")
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _django(["check"], {**env, "SECRET_KEY_FILE": str(secret)})
    assert result.returncode == 0, result.stderr


def test_env_bool_names_the_variable_it_cannot_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOLLEGA_HTTPS", "maybe")
    with pytest.raises(ImproperlyConfigured, match="KOLLEGA_HTTPS"):
        env_bool("KOLLEGA_HTTPS")


def test_env_int_refuses_words_and_too_small_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOLLEGA_RETENTION_DAYS", "ninety")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("KOLLEGA_RETENTION_DAYS", 90)
    monkeypatch.setenv("KOLLEGA_RETENTION_DAYS", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("KOLLEGA_RETENTION_DAYS", 90, minimum=1)


def test_it_refuses_to_start_with_a_malformed_data_key() -> None:
    mistyped = TEST_DATA_KEYS[0][:-3] + "!!="
    env = {**PRODUCTION_ENV, "KOLLEGA_DATA_KEYS": f"{TEST_DATA_KEYS[0]},{mistyped}"}
    result = _django(["check", "--deploy"], env)
    assert result.returncode != 0
    assert "KOLLEGA_DATA_KEYS: key 2 of 2 is not a Fernet key" in result.stderr
    assert mistyped not in result.stderr + result.stdout  # a key is never printed


def test_the_system_check_names_a_malformed_data_key(settings: Any) -> None:
    from kollega.core.checks import check_data_keys

    settings.KOLLEGA_DATA_KEYS = ["not-a-key", TEST_DATA_KEYS[0]]
    errors = check_data_keys()
    assert [error.id for error in errors] == ["kollega.E001"]
    assert "key 1 of 2" in errors[0].msg


def test_check_deploy_fails_when_the_database_or_redis_does_not_answer() -> None:
    env = {
        **PRODUCTION_ENV,
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/kollega",
        "REDIS_URL": "redis://127.0.0.1:9/0",
    }
    result = _django(["check", "--deploy"], env)
    assert result.returncode != 0
    assert "The database does not answer" in result.stderr
    assert "Redis does not answer" in result.stderr
