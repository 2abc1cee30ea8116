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


@pytest.fixture
def lecture(user, subject):
    """A completed lecture of the owner (no pages needed: generation is not run by view tests)."""
    from tests.factories import LectureFactory

    return LectureFactory(owner=user, subject=subject, name="Week 1", status="completed", page_count=10)


@pytest.fixture
def quiz(lecture):
    """A completed four-question quiz on ``lecture`` with a real PDF."""
    from tests.factories import GeneratedDocumentFactory

    return GeneratedDocumentFactory(lecture=lecture)


@pytest.fixture
def exam(user, subject):
    """A read past exam with two questions."""
    from tests.factories import ExamFactory

    return ExamFactory(owner=user, subject=subject, name="Midterm 2021")


@pytest.fixture
def queued():
    """django-q2 tasks queued so far (the ORM broker's rows), as (func, args) pairs."""
    from django_q.models import OrmQ

    def tasks():
        return [(q.func(), q.args()) for q in OrmQ.objects.order_by("id")]

    return tasks


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """``with on_commit(execute=True):`` runs what a request queued for after its commit (jobs, pushes)."""
    return django_capture_on_commit_callbacks
