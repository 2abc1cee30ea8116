"""/documents/<pk>/take/: a completed quiz taken in the browser. GET shows the questions and nothing that gives
the answers away; POST scores it, records an attempt and a study session, and opens the review."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from apps.documents.models import QuizAttempt
from apps.study.models import StudySession
from tests.factories import QUIZ_CONTENT, GeneratedDocumentFactory

pytestmark = pytest.mark.django_db

RIGHT = ["A", "B", "C", "D"]  # the hand-written quiz's answers


def _url(quiz):
    return reverse("documents:take", args=[quiz.pk])


def test_get_shows_every_question_with_four_lettered_choices(owner_client, quiz):
    html = owner_client.get(_url(quiz)).content.decode()
    for i, question in enumerate(QUIZ_CONTENT["questions"]):
        assert escape(question["question"]) in html
        radios = re.findall(rf'<input type="radio" name="q{i}" value="([A-D])"', html)
        assert radios == ["A", "B", "C", "D"]
        for option in question["options"]:
            assert f"<span>{escape(option)}</span>" in html
    assert len(re.findall(r'type="radio"', html)) == 16


def test_get_gives_no_answer_away(owner_client, quiz):
    html = owner_client.get(_url(quiz)).content.decode()
    for question in QUIZ_CONTENT["questions"]:
        assert question["explanation"] not in html
    assert "EXPLAIN-" not in html
    lowered = html.lower()
    for marker in ("correct", "is-right", "right answer", "data-answer", "checked"):
        assert marker not in lowered, marker


def test_one_at_a_time_is_the_default_and_all_on_one_page_is_an_option(owner_client, quiz):
    assert 'data-quiz-mode="one"' in owner_client.get(_url(quiz)).content.decode()
    assert 'data-quiz-mode="all"' in owner_client.get(_url(quiz), {"mode": "all"}).content.decode()
    assert 'data-quiz-mode="one"' in owner_client.get(_url(quiz), {"mode": "<script>"}).content.decode()


def test_post_scores_records_and_redirects_to_the_review(owner_client, user, quiz, lecture):
    response = owner_client.post(_url(quiz), {"q0": "A", "q1": "B", "q2": "C", "q3": "A"})
    attempt = QuizAttempt.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:attempt", args=[quiz.pk, attempt.pk])
    assert (attempt.owner, attempt.document) == (user, quiz)
    assert attempt.answers == [0, 1, 2, 0]
    assert (attempt.correct, attempt.total, attempt.score) == (3, 4, 75.0)
    session = StudySession.objects.get()
    assert attempt.study_session == session
    assert session.user == user and session.session_type == "quiz"
    assert session.score == 75.0 and session.items_completed == 4
    assert session.lecture == lecture and session.subject == lecture.subject
    # each question's page and outcome: the study dashboard's weak pages (kept when the quiz is deleted)
    pages = [
        {"page": 3, "right": True},
        {"page": 5, "right": True},
        {"page": 7, "right": True},
        {"page": 8, "right": False},
    ]
    assert session.metadata == {"document": quiz.pk, "correct": 3, "total": 4, "questions": pages}


def test_lower_case_letters_count(owner_client, quiz):
    owner_client.post(_url(quiz), {f"q{i}": letter.lower() for i, letter in enumerate(RIGHT)})
    assert QuizAttempt.objects.get().score == 100.0


def test_garbage_and_missing_answers_count_as_skipped(owner_client, quiz):
    response = owner_client.post(
        _url(quiz), {"q0": "Z", "q2": "AB", "q3": "D", "q4": "A", "q-1": "A", "started_at": "yesterday"}
    )
    assert response.status_code == 302
    attempt = QuizAttempt.objects.get()
    assert attempt.answers == [None, None, None, 3]
    assert (attempt.correct, attempt.score) == (1, 25.0)
    assert StudySession.objects.get().items_completed == 1


def test_an_empty_submission_scores_zero(owner_client, quiz):
    assert owner_client.post(_url(quiz), {}).status_code == 302
    attempt = QuizAttempt.objects.get()
    assert attempt.answers == [None] * 4 and attempt.score == 0.0


def test_the_duration_comes_from_when_the_quiz_was_opened(owner_client, quiz):
    opened = (timezone.now() - timedelta(minutes=5)).isoformat()
    owner_client.post(_url(quiz), {"q0": "A", "started_at": opened})
    assert 295 <= StudySession.objects.get().duration <= 310


@pytest.mark.parametrize(
    "started_at",
    [
        (timezone.now() + timedelta(days=1)).isoformat(),  # in the future
        "2025-01-01T10:00:00",  # no time zone
        "",
    ],
)
def test_an_unusable_start_time_counts_as_now(owner_client, quiz, started_at):
    owner_client.post(_url(quiz), {"q0": "A", "started_at": started_at})
    assert StudySession.objects.get().duration <= 5


def test_a_very_old_start_time_is_capped(owner_client, quiz):
    owner_client.post(_url(quiz), {"q0": "A", "started_at": "2020-01-01T00:00:00+00:00"})
    assert StudySession.objects.get().duration == 6 * 3600


def test_a_double_post_records_two_attempts(owner_client, quiz):
    for _ in range(2):
        assert owner_client.post(_url(quiz), {"q0": "A"}).status_code == 302
    assert QuizAttempt.objects.count() == 2 and StudySession.objects.count() == 2


def test_another_users_quiz_is_404_and_records_nothing(other_client, quiz):
    assert other_client.get(_url(quiz)).status_code == 404
    assert other_client.post(_url(quiz), {"q0": "A"}).status_code == 404
    assert not QuizAttempt.objects.exists() and not StudySession.objects.exists()


@pytest.mark.parametrize("status", ["pending", "processing", "failed"])
def test_a_quiz_that_is_not_ready_is_404(owner_client, lecture, status):
    quiz = GeneratedDocumentFactory(lecture=lecture, status=status)
    assert owner_client.get(_url(quiz)).status_code == 404
    assert owner_client.post(_url(quiz), {"q0": "A"}).status_code == 404


@pytest.mark.parametrize("doc_type", ["cheat_sheet", "past_paper"])
def test_only_a_quiz_can_be_taken(owner_client, lecture, exam, doc_type):
    document = GeneratedDocumentFactory(lecture=exam if doc_type == "past_paper" else lecture, doc_type=doc_type)
    assert owner_client.get(_url(document)).status_code == 404
    assert owner_client.post(_url(document)).status_code == 404
