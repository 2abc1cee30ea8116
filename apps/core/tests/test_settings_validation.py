"""Start-up validation: every setting is checked when the settings are imported, so a bad value stops
manage.py / Daphne / uvicorn / the worker with one line naming the variable, and production refuses a guessable
SECRET_KEY and passes `check --deploy` without warnings."""

import os
import random
import runpy
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory

from smartnotes.env import ImproperEnv
from smartnotes.secret_key import production_secret_key_error, weakness
from tests.fake_openai.fixtures import reset_ai_caches

ROOT = Path(__file__).resolve().parents[3]
VENV_BIN = Path(sys.executable).parent
# Variables a developer's shell or the test run may set that would change what start-up sees (the browser tests'
# conftest sets DJANGO_ALLOW_ASYNC_UNSAFE for Playwright, which `check --deploy` rightly reports).
_CLEARED = (
    "SECRET_KEY",
    "DJANGO_ENV",
    "DEBUG",
    "DJANGO_SETTINGS_MODULE",
    "SECURE_COOKIES",
    "ALLOWED_HOSTS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def _run(command: list[str], **extra: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in _CLEARED and not k.startswith("SECURE_")}
    environment.update(extra)
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)


def _manage(*args: str, **extra: str) -> subprocess.CompletedProcess:
    return _run([sys.executable, "manage.py", *args], **extra)


def _import_settings() -> None:
    """Run the settings module afresh in this process, as start-up does (the AI settings it installs are
    forgotten afterwards)."""
    try:
        runpy.run_path(str(ROOT / "smartnotes" / "settings" / "base.py"), run_name="settings_under_test")
    finally:
        reset_ai_caches()


def _assert_stopped_naming(result: subprocess.CompletedProcess, name: str) -> None:
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("Configuration error: "), result.stderr
    assert name in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("AI_TIMEOUT", "30s", "expected seconds"),
        ("OPENAI_BASE_URL", "not a url", "http:// or https://"),
        ("OPENAI_BASE_URL", "ftp://x", "scheme 'ftp'"),
        ("OPENAI_BASE_URL", "localhost:11434/v1", "has no scheme"),
        ("OPENAI_BASE_URL", "http://", "has no host"),
        ("EMBEDDING_BASE_URL", "http://gpu-box:port/v1", "not a valid URL"),
        ("TRANSCRIPTION_TIMEOUT", "soon", "expected seconds"),
        ("AI_MAX_RETRIES", "-1", "at least 0"),
        ("UPLOAD_MAX_MB", "lots", "whole number"),
        ("TIME_ZONE", "Mars/Olympus", "time zone"),
        ("LOG_LEVEL", "loud", "one of"),
        ("DATABASE_URL", "mysql://db/notes", "postgres://"),
        ("REDIS_URL", "localhost:6379", "redis://"),
        ("SITE_URL", "notes.example.org", "has no scheme"),
        ("CSRF_TRUSTED_ORIGINS", "notes.example.org", "has no scheme"),
        ("SMARTNOTES_OCR_LANG", "eng fra", "eng+fra"),
    ],
)
def test_importing_the_settings_refuses_a_bad_value_naming_it(monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperEnv, match=name) as refused:
        _import_settings()
    assert expected in str(refused.value)


def test_importing_the_settings_refuses_an_inconsistent_ai_configuration(monkeypatch):
    monkeypatch.setenv("EMBEDDING_BACKEND", "openai")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("EMBEDDING_BASE_URL", raising=False)
    with pytest.raises(ImproperEnv, match="EMBEDDING_BASE_URL or OPENAI_BASE_URL"):
        _import_settings()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AI_TIMEOUT", "30s"),
        ("OPENAI_BASE_URL", "not a url"),
        ("OPENAI_BASE_URL", "ftp://x"),
        ("UPLOAD_MAX_MB", "lots"),
    ],
)
def test_manage_py_stops_with_one_line_naming_the_variable(name, value):
    _assert_stopped_naming(_manage("check", **{name: value}), name)


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        [str(VENV_BIN / "daphne"), "-p", "0", "smartnotes.asgi:application"],
        [str(VENV_BIN / "uvicorn"), "smartnotes.asgi:application", "--port", "0", "--lifespan", "off"],
        [sys.executable, "-m", "smartnotes.serve", "--port", "0"],
        [sys.executable, "manage.py", "qcluster"],
    ],
    ids=["daphne", "uvicorn", "serve", "qcluster"],
)
def test_servers_and_the_worker_refuse_to_start_with_a_bad_value(command):
    _assert_stopped_naming(_run(command, AI_TIMEOUT="30s"), "AI_TIMEOUT")


@pytest.mark.slow
def test_start_up_installs_the_validated_ai_settings_for_the_process():
    code = "from smartnotes import ai; s = ai.get_settings(); print(s.request_timeout_s, s.openai_base_url)"
    result = _manage("shell", "--no-imports", "-c", code, AI_TIMEOUT="7.5", OPENAI_BASE_URL="http://127.0.0.1:9/v1/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["7.5", "http://127.0.0.1:9/v1"]


# --- SECRET_KEY in production ------------------------------------------------------------------------------


def _env_example_secret_key() -> str:
    for line in (ROOT / "docker" / ".env.example").read_text().splitlines():
        if line.startswith("SECRET_KEY="):
            return line.split("=", 1)[1]
    raise AssertionError("docker/.env.example has no SECRET_KEY line")


def test_production_refuses_the_placeholder_key_of_the_docker_example():
    result = _manage("check", DJANGO_ENV="production", SECRET_KEY=_env_example_secret_key())
    _assert_stopped_naming(result, "SECRET_KEY")
    assert "placeholder" in result.stderr and "token_urlsafe" in result.stderr


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("", "must be set"),
        ("django-insecure-" + "q8Zr2mXv5Lw0Tb7Nc4Jy1Hd6Kf9Pg3Sa" * 2, "placeholder"),
        ("my-super-secret-key-that-nobody-will-ever-guess-really", "placeholder"),
        ("please-changeme-please-changeme-please-changeme-2024", "placeholder"),
        ("this-is-an-example-key-for-the-documentation-only-ok", "placeholder"),
        ("Zq8rT2mXv5Lw0Tb7Nc4Jy1Hd6Kf9Pg", "at least 50"),
        ("aAbB" * 20, "different characters"),
        ("x9Kq2" * 12 + "ABCDEFGHIJ", "repeats itself"),
        ("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN", "runs such as"),
    ],
)
def test_guessable_keys_are_refused_with_the_reason(key, reason):
    message = production_secret_key_error(key)
    assert message is not None and message.startswith("SECRET_KEY ")
    assert reason in message


def test_random_keys_are_accepted():
    rng = random.Random(20240601)  # seeded: the same keys on every run
    urlsafe = string.ascii_letters + string.digits + "-_"
    keys = ["".join(rng.choices(urlsafe, k=67)) for _ in range(300)]
    keys += ["".join(rng.choices("0123456789abcdef", k=64)) for _ in range(300)]
    keys += ["".join(rng.choices("0123456789abcdef", k=50)) for _ in range(300)]
    assert [key for key in keys if weakness(key)] == []


# --- manage.py check --deploy --------------------------------------------------------------------------------


def _production(**extra: str) -> dict:
    return {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "notes.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://notes.example.org",
        **extra,
    }


@pytest.mark.slow  # a full Django start-up in a subprocess
def test_check_deploy_is_clean_in_a_proper_production_environment():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **_production())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.slow  # a full Django start-up in a subprocess
def test_check_deploy_is_clean_with_hsts_preload_opted_into():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **_production(SECURE_HSTS_PRELOAD="true"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


@pytest.mark.slow  # a full Django start-up in a subprocess
def test_check_deploy_reports_a_plain_http_deployment():
    result = _manage("check", "--deploy", **_production(SECURE_COOKIES="false"))
    output = result.stdout + result.stderr
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in output


def test_plain_http_is_redirected_except_the_probes(settings):
    settings.SECURE_SSL_REDIRECT = True
    middleware = SecurityMiddleware(lambda request: HttpResponse("ok"))
    factory = RequestFactory()
    assert middleware(factory.get("/accounts/login/")).status_code == 301
    assert middleware(factory.get("/healthz")).status_code == 200
    assert middleware(factory.get("/metrics")).status_code == 200
    # Behind the TLS proxy: X-Forwarded-Proto says the visitor used HTTPS.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    middleware = SecurityMiddleware(lambda request: HttpResponse("ok"))
    assert middleware(factory.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")).status_code == 200
