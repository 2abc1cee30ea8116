"""A review sitting is one StudySession(session_type="flashcards"): its items, average rating and duration."""

from datetime import timedelta

import pytest
from django.urls import reverse

from apps.flashcards.models import ReviewLog
from apps.study.models import StudySession
from tests.factories import FlashcardFactory

pytestmark = pytest.mark.django_db
GRADE = reverse("flashcards:grade")


def _grade(client, card, rating, **extra):
    card.refresh_from_db()
    return client.post(GRADE, {"card": card.pk, "rating": rating, "seen": card.review_count, **extra})


def test_grades_in_a_row_are_one_study_session(owner_client, user, cards, subject, clock):
    started = clock.at
    for card, rating in zip(cards, [4, 3, 2], strict=True):
        _grade(owner_client, card, rating, subject=subject.pk)
        clock.advance(seconds=20)

    session = StudySession.objects.get()
    assert (session.user, session.session_type, session.subject) == (user, "flashcards", subject)
    assert session.items_completed == 3
    assert session.metadata["average_rating"] == 3.0
    assert session.started_at == started
    assert session.duration == 40
    assert set(ReviewLog.objects.values_list("session_id", flat=True)) == {session.pk}


def test_a_pause_of_more_than_half_an_hour_starts_a_new_sitting(owner_client, cards, clock):
    _grade(owner_client, cards[0], 3)
    clock.advance(minutes=31)
    _grade(owner_client, cards[1], 3)
    assert StudySession.objects.count() == 2
    assert sorted(StudySession.objects.values_list("items_completed", flat=True)) == [1, 1]


def test_the_all_subjects_queue_is_its_own_sitting(owner_client, cards, subject):
    _grade(owner_client, cards[0], 3, subject=subject.pk)
    _grade(owner_client, cards[1], 3)
    assert sorted(StudySession.objects.values_list("subject_id", flat=True), key=str) == sorted(
        [subject.pk, None], key=str
    )


def test_the_review_page_counts_this_sittings_reviews(owner_client, cards, subject):
    _grade(owner_client, cards[0], 3, subject=subject.pk)
    _grade(owner_client, cards[1], 3, subject=subject.pk)
    html = owner_client.get(reverse("flashcards:review") + f"?subject={subject.pk}").content.decode()
    assert "<span data-count-done>2</span> reviewed in this sitting" in html


def test_a_sitting_keeps_its_reviews_if_a_card_is_deleted(owner_client, cards, clock):
    _grade(owner_client, cards[0], 3)
    cards[0].delete()
    assert StudySession.objects.get().items_completed == 1
    clock.advance(minutes=1)
    _grade(owner_client, cards[1], 3)
    assert StudySession.objects.get().items_completed == 2
    assert StudySession.objects.get().ended_at == clock.at
    assert StudySession.objects.get().started_at == clock.at - timedelta(minutes=1)


def test_another_users_sitting_is_never_reused(owner_client, other_user, cards):
    from apps.flashcards import reviewing

    other_card = FlashcardFactory(lecture__owner=other_user)
    reviewing.grade_card(actor=other_user, card_id=other_card.pk, rating=3, seen_count=0)
    _grade(owner_client, cards[0], 3)
    assert StudySession.objects.count() == 2
