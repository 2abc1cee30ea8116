import pytest

from apps.sharing.tests.helpers import read_lecture, share


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    """No model endpoint unless a test asks for the fake one."""
    for name in ("OPENAI_BASE_URL", "CHAT_MODEL", "GENERATION_MODEL"):
        monkeypatch.delenv(name, raising=False)
    from smartnotes.ai import reset_caches

    reset_caches()


@pytest.fixture
def lecture(user, subject):
    return read_lecture(user, subject)


@pytest.fixture
def document(lecture):
    from tests.factories import GeneratedDocumentFactory

    return GeneratedDocumentFactory(lecture=lecture, doc_type="cheat_sheet")


@pytest.fixture
def shared(user, lecture):
    """(link, code): the lecture shared with pages + chat, no password, no view limit."""
    return share(user, lecture=lecture, mode="chat")
