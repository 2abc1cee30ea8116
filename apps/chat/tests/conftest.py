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
