"""Every documents URL with three personas: the owner (200 or a redirect), another user (404) and an anonymous
visitor (sent to log in), for GET and, where the view takes a form, POST.

The URL list comes from ``apps.documents.urls.urlpatterns``: a new URL without a case here fails."""

from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.documents.models import GeneratedDocument, QuizAttempt
from apps.documents.urls import urlpatterns
from apps.lectures.models import Lecture
from apps.study.models import StudySession
from tests.factories import QuizAttemptFactory

pytestmark = pytest.mark.django_db

NAMES = [pattern.name for pattern in urlpatterns]


@dataclass
class Case:
    args: object  # objects -> reverse() args
    get: int  # the owner's status for GET (405: the view takes POST only)
    post: int | None = None  # the owner's status for POST; None: not a form target
    data: object = field(default=lambda o: {})  # objects -> POST data


CASES = {
    "lecture": Case(lambda o: [o.lecture.pk], get=200),
    "generate": Case(lambda o: [o.lecture.pk], get=405, post=302, data=lambda o: {"doc_type": "cheat_sheet"}),
    "exam": Case(
        lambda o: [o.exam.pk],
        get=200,
        post=302,
        data=lambda o: {"action": "save", "label": ["1"], "text": ["Only question"], "points": ["3"]},
    ),
    "exam_upload": Case(
        lambda o: [o.exam.subject_id],
        get=405,
        post=302,
        data=lambda o: {"file": SimpleUploadedFile("exam.md", b"# Exam\n\n1. What is a variable? [3 points]\n")},
    ),
    "detail": Case(lambda o: [o.quiz.pk], get=200),
    "status": Case(lambda o: [o.quiz.pk], get=200),
    "download": Case(lambda o: [o.quiz.pk], get=200),
    "retry": Case(lambda o: [o.failed.pk], get=405, post=302),
    "delete": Case(lambda o: [o.quiz.pk], get=200, post=302),
    "take": Case(lambda o: [o.quiz.pk], get=200, post=302, data=lambda o: {"q0": "A", "q1": "B"}),
    "attempt": Case(lambda o: [o.quiz.pk, o.attempt.pk], get=200),
}


def _methods(name):
    case = CASES.get(name)
    if case is None:  # no case yet: run both, so the test names the missing case
        return ("get", "post")
    return ("get", "post") if case.post is not None else ("get",)


REQUESTS = [(name, method) for name in NAMES for method in _methods(name)]


@dataclass
class Objects:
    lecture: Lecture
    exam: Lecture
    quiz: GeneratedDocument
    failed: GeneratedDocument
    attempt: QuizAttempt


@pytest.fixture
def objects(lecture, exam, quiz):
    from tests.factories import GeneratedDocumentFactory

    failed = GeneratedDocumentFactory(lecture=lecture, doc_type="cheat_sheet", status="failed")
    return Objects(lecture, exam, quiz, failed, QuizAttemptFactory(document=quiz))


def _case(name) -> Case:
    assert name in CASES, f"documents:{name} has no persona case in {__name__}.CASES"
    return CASES[name]


def _request(client, objects, name, method):
    case = _case(name)
    url = reverse(f"documents:{name}", args=case.args(objects))
    if method == "get":
        return client.get(url)
    return client.post(url, case.data(objects))


def _owner_status(case, method):
    return case.get if method == "get" else case.post


def _snapshot(objects):
    objects.exam.refresh_from_db()
    failed = GeneratedDocument.objects.get(pk=objects.failed.pk)
    return (
        GeneratedDocument.objects.count(),
        QuizAttempt.objects.count(),
        StudySession.objects.count(),
        Lecture.objects.count(),
        objects.exam.metadata,
        failed.status,
    )


def test_every_url_has_a_persona_case():
    assert set(CASES) == set(NAMES), "CASES and apps/documents/urls.py disagree"


@pytest.mark.parametrize(("name", "method"), REQUESTS)
def test_the_owner_gets_the_page_or_is_redirected(owner_client, objects, name, method):
    expected = _owner_status(_case(name), method)
    response = _request(owner_client, objects, name, method)
    assert response.status_code == expected, response.content[:500]
    if expected == 302:
        assert not response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(("name", "method"), REQUESTS)
def test_another_user_gets_404_and_changes_nothing(other_client, objects, name, method):
    case = _case(name)
    before = _snapshot(objects)
    response = _request(other_client, objects, name, method)
    expected = 405 if _owner_status(case, method) == 405 else 404
    assert response.status_code == expected
    assert _snapshot(objects) == before


@pytest.mark.parametrize(("name", "method"), REQUESTS)
def test_an_anonymous_visitor_is_sent_to_log_in(anon_client, objects, name, method):
    before = _snapshot(objects)
    response = _request(anon_client, objects, name, method)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert _snapshot(objects) == before
