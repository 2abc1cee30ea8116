import os
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import PASSWORD, SubjectFactory, UserFactory

ROOT = Path(__file__).resolve().parent
FIXTURES = Path(os.environ.get("SMARTNOTES_FIXTURES", ROOT.parent / "shared" / "fixtures"))


@pytest.fixture
def fixtures_dir() -> Path:
    if not FIXTURES.is_dir():
        pytest.skip(f"the shared fixtures folder {FIXTURES} is absent (CI always has it)")
    return FIXTURES


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def subject(user):
    return SubjectFactory(user=user, name="Algorithms")


def _client_for(u) -> Client:
    client = Client()
    client.force_login(u)
    return client


@pytest.fixture
def owner_client(user) -> Client:
    return _client_for(user)


@pytest.fixture
def other_client(other_user) -> Client:
    return _client_for(other_user)


@pytest.fixture
def anon_client() -> Client:
    return Client()


@pytest.fixture
def htmx_headers() -> dict:
    return {"HTTP_HX_REQUEST": "true"}
