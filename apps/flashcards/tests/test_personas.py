"""Every flashcards URL with three personas: the owner (200 or a redirect), another user (404, nothing changes)
and an anonymous visitor (sent to log in), for GET and POST.

The URL list comes from ``apps.flashcards.urls.urlpatterns``: a new URL without a case here fails. Pages that
only show something answer POST with 405; forms answer GET with 405."""

from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.urls import reverse

from apps.flashcards.models import AnkiDeck, CardGeneration, Flashcard, ReviewLog
from apps.flashcards.urls import urlpatterns
from apps.study.models import StudySession
from apps.subjects.models import Subject
from tests.factories import GeneratedDocumentFactory, QuizAttemptFactory

pytestmark = pytest.mark.django_db

NAMES = [pattern.name for pattern in urlpatterns]


def _csv_file(o):
    return SimpleUploadedFile("deck.csv", b"front,back\nWhat is 2**3?,8\n", content_type="text/csv")


@dataclass
class Case:
    args: object  # objects -> reverse() args
    get: int  # the owner's status for GET
    post: int  # the owner's status for POST
    data: object = field(default=lambda o: {})  # objects -> POST data
    query: object = field(default=lambda o: "")  # objects -> query string (GET and POST)


SUBJECT_QUERY = lambda o: f"?subject={o.subject.pk}"  # noqa: E731

CASES = {
    "review": Case(lambda o: [], get=200, post=405, query=SUBJECT_QUERY),
    "grade": Case(
        lambda o: [],
        get=405,
        post=302,
        data=lambda o: {"card": o.card.pk, "rating": 3, "seen": 0, "subject": o.subject.pk},
    ),
    "undo": Case(lambda o: [], get=405, post=302, data=lambda o: {"subject": o.subject.pk}),
    "review_suspend": Case(lambda o: [o.card.pk], get=405, post=302, data=lambda o: {"subject": o.subject.pk}),
    "lecture": Case(lambda o: [o.lecture.pk], get=200, post=405),
    "create": Case(
        lambda o: [o.lecture.pk], get=200, post=302, data=lambda o: {"question": "Q?", "answer": "A.", "tags": "x"}
    ),
    "generate": Case(lambda o: [o.lecture.pk], get=405, post=302, data=lambda o: {"count": 10}),
    "bulk": Case(
        lambda o: [o.lecture.pk], get=405, post=302, data=lambda o: {"card": [o.card.pk], "action": "suspend"}
    ),
    "import": Case(lambda o: [o.lecture.pk], get=405, post=302, data=lambda o: {"file": _csv_file(o)}),
    "export": Case(lambda o: ["lecture", o.lecture.pk, "csv"], get=200, post=405),
    "generation": Case(lambda o: [o.generation.pk], get=200, post=405),
    "generation_retry": Case(lambda o: [o.generation.pk], get=405, post=302),
    "from_quiz": Case(lambda o: [o.attempt.pk], get=405, post=302),
    "exam_date": Case(lambda o: [o.subject.pk], get=405, post=302, data=lambda o: {"exam_date": "2099-06-01"}),
    "edit": Case(lambda o: [o.card.pk], get=200, post=302, data=lambda o: {"question": "Q2?", "answer": "A2."}),
    "suspend": Case(lambda o: [o.card.pk], get=405, post=302, data=lambda o: {"suspended": "1"}),
    "delete": Case(lambda o: [o.card.pk], get=200, post=302),
}

REQUESTS = [(name, method) for name in NAMES for method in ("get", "post")]


@dataclass
class Objects:
    subject: Subject
    lecture: object
    card: Flashcard
    generation: CardGeneration
    attempt: object


@pytest.fixture
def objects(user, subject, lecture, card):
    generation = CardGeneration.objects.create(owner=user, lecture=lecture, status="failed", error_code="internal")
    quiz = GeneratedDocumentFactory(lecture=lecture)
    attempt = QuizAttemptFactory(document=quiz, answers=[1, 1, 2, 3])  # the first question missed
    return Objects(subject, lecture, card, generation, attempt)


def _case(name) -> Case:
    assert name in CASES, f"flashcards:{name} has no persona case in {__name__}.CASES"
    return CASES[name]


def _request(client, objects, name, method):
    case = _case(name)
    url = reverse(f"flashcards:{name}", args=case.args(objects)) + case.query(objects)
    if method == "get":
        return client.get(url)
    return client.post(url, case.data(objects))


def _snapshot(objects):
    subject = Subject.objects.get(pk=objects.subject.pk)
    return (
        sorted(tuple(sorted(model_to_dict(c).items(), key=str)) for c in Flashcard.objects.all()),
        ReviewLog.objects.count(),
        StudySession.objects.count(),
        list(CardGeneration.objects.order_by("pk").values_list("pk", "status", "task_id")),
        AnkiDeck.objects.count(),
        subject.exam_date,
    )


def test_every_url_has_a_persona_case():
    assert set(CASES) == set(NAMES), "CASES and apps/flashcards/urls.py disagree"


@pytest.mark.parametrize(("name", "method"), REQUESTS)
def test_the_owner_gets_the_page_or_is_redirected(owner_client, objects, name, method):
    case = _case(name)
    expected = case.get if method == "get" else case.post
    response = _request(owner_client, objects, name, method)
    assert response.status_code == expected, response.content[:500]
    if expected == 302:
        assert not response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(("name", "method"), REQUESTS)
def test_another_user_gets_404_and_changes_nothing(other_client, objects, name, method):
    case = _case(name)
    before = _snapshot(objects)
    response = _request(other_client, objects, name, method)
    expected = 405 if (case.get if method == "get" else case.post) == 405 else 404
    assert response.status_code == expected
    assert _snapshot(objects) == before


@pytest.mark.parametrize(("name", "method"), REQUESTS)
def test_an_anonymous_visitor_is_sent_to_log_in(anon_client, objects, name, method):
    before = _snapshot(objects)
    response = _request(anon_client, objects, name, method)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert _snapshot(objects) == before


@pytest.mark.parametrize("fmt", ["csv", "apkg"])
def test_a_subject_export_is_404_for_another_user(owner_client, other_client, objects, fmt):
    url = reverse("flashcards:export", args=["subject", objects.subject.pk, fmt])
    assert owner_client.get(url).status_code == 200
    assert other_client.get(url).status_code == 404


def test_another_users_card_in_a_grade_post_is_404_and_changes_nothing(other_user, other_client, objects):
    """The other user posts the owner's card id to the review form without naming a subject."""
    before = _snapshot(objects)
    response = other_client.post(reverse("flashcards:grade"), {"card": objects.card.pk, "rating": 4, "seen": 0})
    assert response.status_code == 404
    assert _snapshot(objects) == before
    assert not StudySession.objects.filter(user=other_user).exists()
