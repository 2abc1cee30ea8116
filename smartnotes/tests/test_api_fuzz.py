"""Schemathesis against a real Daphne process: every operation of the OpenAPI schema, fed generated inputs
(NUL bytes, surrogates, huge strings, wrong types) with a bearer token, must never answer a 5xx, and what it
answers must match the schema's status codes and content types. Bounded so it fits the CI budget."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

from apps.accounts import tokens
from smartnotes.tests.test_api_personas import _world
from tests.processes import running_server

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "8"))
# Signing the token's own device out would leave the rest of the run unauthenticated.
SKIP = r"/auth/(logout|devices)"


def test_no_server_error_on_any_generated_input(user, password, tmp_path):
    _world(user)
    access = tokens.log_in(RequestFactory().post("/"), login=user.username, password=password)["access_token"]
    schemathesis = Path(sys.executable).with_name("schemathesis")
    with running_server(tmp_path / "daphne.log", CHAT_RATE_PER_MINUTE="1000", UPLOAD_RATE_PER_HOUR="1000") as base:
        result = subprocess.run(  # noqa: S603 - our own tool on our own loopback server
            [
                str(schemathesis),
                "run",
                f"{base}/api/v1/openapi.json",
                "--header",
                f"Authorization: Bearer {access}",
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance",
                "--max-examples",
                str(EXAMPLES),
                "--seed",
                "20261201",
                "--phases",
                "examples,coverage,fuzzing",
                "--exclude-path-regex",
                SKIP,
                "--request-timeout",
                "60",
                "--workers",
                "1",
                "--generation-database",
                "none",
            ],
            capture_output=True,
            text=True,
            timeout=1500,
        )
        log = (tmp_path / "daphne.log").read_text()
    report = result.stdout[-6000:] + result.stderr[-2000:]
    assert result.returncode == 0, report + "\n--- server log ---\n" + log[-4000:]
    assert "Traceback" not in log, log[-4000:]
