"""/documents/<pk>/attempts/<attempt_pk>/: the review of one attempt: each question with the student's pick,
the right answer, the explanation and a link to the lecture page it came from."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from tests.factories import QUIZ_CONTENT, GeneratedDocumentFactory, QuizAttemptFactory

pytestmark = pytest.mark.django_db


def _url(attempt):
    return reverse("documents:attempt", args=[attempt.document_id, attempt.pk])


@pytest.fixture
def attempt(owner_client, quiz):
    from apps.documents.models import QuizAttempt

    owner_client.post(reverse("documents:take", args=[quiz.pk]), {"q0": "A", "q1": "C", "q3": "D"})
    return QuizAttempt.objects.get()


def _item(html, number):
    match = re.search(
        rf'<li class="[^"]*quiz-review-item[^"]*" id="review-{number}">(.*?)</li>\s*(?=<li class="card|</ol>)',
        html,
        re.S,
    )
    assert match, f"no review item {number}"
    return match.group(1)


def test_it_shows_the_score(owner_client, attempt):
    html = owner_client.get(_url(attempt)).content.decode()
    assert re.search(r"<span data-score>\s*50 %\s*</span>", html)
    assert "2 of 4 correct" in html


def test_each_question_shows_the_pick_the_right_answer_and_the_explanation(owner_client, attempt, lecture):
    html = owner_client.get(_url(attempt)).content.decode()
    for number, question in enumerate(QUIZ_CONTENT["questions"], start=1):
        item = _item(html, number)
        assert escape(question["question"]) in item
        assert question["explanation"] in item
        right = escape(question["options"][question["correct"]])
        assert re.search(rf'quiz-option is-correct[^"]*">.*?{re.escape(right)}.*?right answer', item, re.S)
        citation = f'href="/lectures/{lecture.pk}/pages/{question["page"]}/"'
        assert citation in item and f"Week 1, p. {question['page']}" in item


def test_a_wrong_pick_is_marked_as_the_students_answer(owner_client, attempt):
    item = _item(owner_client.get(_url(attempt)).content.decode(), 2)  # picked C, right is B
    assert "Wrong" in item
    assert re.search(r'quiz-option is-picked">\s*<kbd class="kbd">C</kbd>.*?your answer', item, re.S)


def test_right_and_skipped_questions_are_labelled(owner_client, attempt):
    html = owner_client.get(_url(attempt)).content.decode()
    assert "Right" in _item(html, 1) and "is-correct is-picked" in _item(html, 1)
    assert "Skipped" in _item(html, 3) and "is-picked" not in _item(html, 3)


def test_the_citation_link_opens_the_lecture_page(owner_client, attempt, lecture):
    from apps.lectures.models import LecturePage

    LecturePage.objects.create(lecture=lecture, number=3, text="def starts a function", method="text")
    assert owner_client.get(reverse("lectures:page", args=[lecture.pk, 3])).status_code == 200


def test_an_attempt_under_another_quiz_is_404(owner_client, attempt, lecture):
    other_quiz = GeneratedDocumentFactory(lecture=lecture)
    url = reverse("documents:attempt", args=[other_quiz.pk, attempt.pk])
    assert owner_client.get(url).status_code == 404


def test_another_users_attempt_is_404(other_client, attempt):
    assert other_client.get(_url(attempt)).status_code == 404


def test_an_attempt_made_by_the_factory_reviews_too(owner_client, quiz):
    attempt = QuizAttemptFactory(document=quiz, answers=[0, None, 2, 0])
    assert (attempt.correct, attempt.total, attempt.score) == (2, 4, 50.0)
    assert owner_client.get(_url(attempt)).status_code == 200


def test_the_quiz_page_lists_the_attempts(owner_client, quiz, attempt):
    html = owner_client.get(reverse("documents:detail", args=[quiz.pk])).content.decode()
    assert _url(attempt) in html and "2 of 4" in html and "50 %" in html
