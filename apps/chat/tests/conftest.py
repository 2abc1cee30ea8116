import pytest


class _NoNetworkDDGS:
    """Stands in for ddgs.DDGS in every chat test: the test suite never reaches the network."""

    def __init__(self, *args, **kwargs):
        pass

    def text(self, *args, **kwargs):
        raise OSError("network access is disabled in tests")


@pytest.fixture(autouse=True)
def _no_web(monkeypatch):
    monkeypatch.setattr("ddgs.DDGS", _NoNetworkDDGS)


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """The answer cache lives in the database cache table: start every database test with it empty."""
    if request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("_django_db_helper")
    from django.core.cache import cache

    cache.clear()
    yield
