import os
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import PASSWORD, SubjectFactory, UserFactory

pytest_plugins = ["tests.fake_openai.fixtures"]

ROOT = Path(__file__).resolve().parent
FIXTURES = Path(os.environ.get("SMARTNOTES_FIXTURES", ROOT.parent / "shared" / "fixtures"))


@pytest.fixture
def fixtures_dir() -> Path:
    if not FIXTURES.is_dir():
        message = f"the shared fixtures folder {FIXTURES} is absent"
        pytest.fail(message + " — the suite needs ../shared beside the project")
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
def api(user, password) -> Client:
    """A client carrying a real bearer token of ``user`` (the JSON API's own auth)."""
    from tests.api_clients import token_client

    return token_client(user, password)


@pytest.fixture
def other_api(other_user, password) -> Client:
    from tests.api_clients import token_client

    return token_client(other_user, password)


@pytest.fixture
def htmx_headers() -> dict:
    return {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """The cache lives in a database table, and transactional tests commit to it: start every database test with
    it empty, so answer caches and rate-limit counters (allauth's failed logins per IP) never leak between tests."""
    if request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("_django_db_helper")
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(django_db_setup, django_db_blocker):
    """Pools opened by the channel layer and worker subprocesses would keep the test database from being
    dropped at the end; end their sessions first (this teardown runs before the database's)."""
    yield
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
