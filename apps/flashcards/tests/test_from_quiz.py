"""POST /flashcards/from-quiz/<attempt>/: one click on a quiz result turns every missed question into a card on
its source page; a second click adds nothing."""

import pytest
from django.urls import reverse

from apps.flashcards.models import Flashcard
from tests.factories import GeneratedDocumentFactory, QuizAttemptFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt(lecture):
    """The four-question quiz: question 1 answered wrong, question 3 skipped, 2 and 4 right."""
    quiz = GeneratedDocumentFactory(lecture=lecture)
    return QuizAttemptFactory(document=quiz, answers=[2, 1, None, 3])


def _send(client, attempt):
    return client.post(reverse("flashcards:from_quiz", args=[attempt.pk]), follow=True)


def test_the_quiz_result_offers_the_button(owner_client, attempt):
    url = reverse("documents:attempt", args=[attempt.document_id, attempt.pk])
    html = owner_client.get(url).content.decode()
    assert f'action="{reverse("flashcards:from_quiz", args=[attempt.pk])}"' in html
    assert "Turn the 2 missed questions into flashcards" in html


def test_missed_and_skipped_questions_become_cards_on_their_pages(owner_client, user, lecture, attempt):
    response = _send(owner_client, attempt)
    assert response.redirect_chain[-1][0] == reverse("flashcards:lecture", args=[lecture.pk])
    assert "2 missed questions added to your flashcards." in response.content.decode()
    cards = list(Flashcard.objects.order_by("source_page"))
    assert [(c.question, c.source_page) for c in cards] == [
        ("Which keyword starts a function definition?", 3),
        ("Which type does 7 / 2 give?", 7),
    ]
    first = cards[0]
    assert first.answer == "def\n\nEXPLAIN-1: a function definition starts with def."
    assert (first.owner, first.lecture, first.subject_id) == (user, lecture, lecture.subject_id)
    assert (first.origin, first.card_type, first.tags, first.due_at) == ("quiz", "basic", ["quiz"], None)


def test_a_second_click_adds_nothing(owner_client, attempt):
    _send(owner_client, attempt)
    html = _send(owner_client, attempt).content.decode()
    assert "Those questions are already in your flashcards." in html
    assert Flashcard.objects.count() == 2


def test_a_perfect_attempt_adds_nothing(owner_client, lecture):
    perfect = QuizAttemptFactory(document=GeneratedDocumentFactory(lecture=lecture))
    _send(owner_client, perfect)
    assert not Flashcard.objects.exists()


def test_the_new_cards_come_up_in_review(owner_client, attempt, subject):
    _send(owner_client, attempt)
    html = owner_client.get(reverse("flashcards:review") + f"?subject={subject.pk}").content.decode()
    assert "Which keyword starts a function definition?" in html
