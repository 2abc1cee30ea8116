import secrets
import subprocess
import sys

import pytest

from smartnotes import env
from smartnotes.env import ImproperEnv


def test_env_bool_parses_and_rejects_junk(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    assert env.env_bool("FLAG") is True
    monkeypatch.setenv("FLAG", "0")
    assert env.env_bool("FLAG", True) is False
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperEnv, match="FLAG"):
        env.env_bool("FLAG")


def test_env_int_names_the_variable(monkeypatch):
    monkeypatch.setenv("UPLOAD_MAX_MB", "ten")
    with pytest.raises(ImproperEnv, match="UPLOAD_MAX_MB"):
        env.env_int("UPLOAD_MAX_MB", 100)
    monkeypatch.setenv("UPLOAD_MAX_MB", "0")
    with pytest.raises(ImproperEnv, match="at least 1"):
        env.env_int("UPLOAD_MAX_MB", 100, minimum=1)


def test_secrets_are_read_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("API_KEY_FILE", str(secret))
    assert env.env_str("API_KEY") == "s3cret"


def test_env_choice(monkeypatch):
    monkeypatch.setenv("MODE", "fast")
    with pytest.raises(ImproperEnv, match="one of"):
        env.env_choice("MODE", ("slow", "medium"), "slow")


def _settings_in_subprocess(**extra):
    import os

    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_ENV")}
    environment.update(extra)
    return subprocess.run(
        [sys.executable, "-c", "import smartnotes.settings.base as s; print(s.DEBUG)"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_real_secret_key():
    result = _settings_in_subprocess(DJANGO_ENV="production", SECRET_KEY="django-insecure-short")
    assert result.returncode != 0
    assert "SECRET_KEY looks like a placeholder" in result.stderr


def test_production_starts_with_a_real_secret_key():
    result = _settings_in_subprocess(DJANGO_ENV="production", SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_bad_value_stops_start_up_with_its_name():
    result = _settings_in_subprocess(UPLOAD_MAX_MB="lots")
    assert result.returncode != 0
    assert "UPLOAD_MAX_MB" in result.stderr
