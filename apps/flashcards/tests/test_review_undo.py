"""POST /flashcards/review/undo/: the last grade of the open sitting is taken back exactly."""

from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from apps.flashcards.models import ReviewLog
from apps.study.models import StudySession
from tests.factories import FlashcardFactory

from .conftest import set_algorithm

pytestmark = pytest.mark.django_db
GRADE, UNDO = reverse("flashcards:grade"), reverse("flashcards:undo")


def _state(card):
    card.refresh_from_db()
    fields = model_to_dict(card)
    fields.pop("updated_at", None)
    return fields


def _grade(client, card, rating, **extra):
    card.refresh_from_db()
    return client.post(GRADE, {"card": card.pk, "rating": rating, "seen": card.review_count, **extra})


@pytest.mark.parametrize("algorithm", ["fsrs", "sm2"])
def test_undo_restores_the_exact_previous_state_and_removes_the_log(owner_client, user, lecture, clock, algorithm):
    set_algorithm(user, algorithm)
    due = clock.at - timedelta(hours=3)
    card = FlashcardFactory(
        lecture=lecture, due_at=due, last_reviewed_at=due - timedelta(days=4), review_count=3, repetitions=2,
        interval_days=4, ease_factor=2.36, fsrs_state=2, fsrs_step=None, stability=4.2, difficulty=6.1,
    )  # fmt: skip
    before = _state(card)
    _grade(owner_client, card, 1)
    assert _state(card) != before

    response = owner_client.post(UNDO, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "Undone." in response.content.decode()
    assert _state(card) == before
    assert ReviewLog.objects.count() == 0
    # the card is shown again, and the same review can now be graded
    assert f'data-card="{card.pk}"' in response.content.decode()
    assert _grade(owner_client, card, 3).status_code == 302
    assert ReviewLog.objects.count() == 1


def test_undo_of_a_new_card_makes_it_new_again(owner_client, card):
    before = _state(card)
    _grade(owner_client, card, 4)
    owner_client.post(UNDO)
    assert _state(card) == before
    assert _state(card)["due_at"] is None


def test_undo_takes_back_one_grade_at_a_time(owner_client, cards):
    first, second, _ = cards
    _grade(owner_client, first, 3)
    _grade(owner_client, second, 4)
    owner_client.post(UNDO)
    assert list(ReviewLog.objects.values_list("card_id", flat=True)) == [first.pk]
    owner_client.post(UNDO)
    assert ReviewLog.objects.count() == 0
    html = owner_client.post(UNDO, HTTP_HX_REQUEST="true").content.decode()
    assert "Nothing to undo." in html


def test_undo_fixes_the_sittings_count_and_average(owner_client, cards):
    _grade(owner_client, cards[0], 4)
    _grade(owner_client, cards[1], 2)
    owner_client.post(UNDO)
    session = StudySession.objects.get()
    assert session.items_completed == 1
    assert session.metadata["rating_sum"] == 4
    assert session.metadata["average_rating"] == 4


def test_undo_without_an_open_sitting_changes_nothing(owner_client, card, clock):
    _grade(owner_client, card, 3)
    before = _state(card)
    clock.advance(hours=2)  # the sitting is over
    html = owner_client.post(UNDO, HTTP_HX_REQUEST="true").content.decode()
    assert "Nothing to undo." in html
    assert _state(card) == before
    assert ReviewLog.objects.count() == 1


def test_undo_in_one_subject_does_not_undo_a_grade_in_another(owner_client, user, card, subject):
    other_card = FlashcardFactory(lecture__owner=user)
    _grade(owner_client, card, 3, subject=subject.pk)
    _grade(owner_client, other_card, 3, subject=other_card.subject_id)
    owner_client.post(UNDO, {"subject": subject.pk})
    assert list(ReviewLog.objects.values_list("card_id", flat=True)) == [other_card.pk]
