import pytest

from apps.lectures.tests.helpers import ingest_now, upload_file


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    """No model endpoint unless a test asks for the fake one."""
    for name in ("OPENAI_BASE_URL", "CHAT_MODEL", "GENERATION_MODEL"):
        monkeypatch.delenv(name, raising=False)
    from smartnotes.ai import reset_caches

    reset_caches()


@pytest.fixture
def py4e(fixtures_dir, user, subject):
    """The 35-page py4e Expressions deck, read for real."""
    lecture = ingest_now(upload_file(user, subject, fixtures_dir / "lectures/py4e_Pythonlearn-02-Expressions.pdf"))
    assert lecture.status == "completed", lecture.error_message
    return lecture
