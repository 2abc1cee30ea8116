"""The due queue (selectors.next_cards / queue_counts) and the review page built on it: due reviews first (most
overdue first), then new cards up to the profile's new-cards-per-day, per subject or across all subjects;
suspended cards never come up."""

from datetime import timedelta

import pytest
from django.urls import reverse

from apps.flashcards import reviewing, selectors
from tests.factories import FlashcardFactory, LectureFactory, SubjectFactory

pytestmark = pytest.mark.django_db
REVIEW = reverse("flashcards:review")


@pytest.fixture
def two_subjects(user, lecture, clock):
    """Algorithms: a card due 2 days ago and one due 1 hour ago; Databases: one due 1 day ago; plus one new
    card each, one card due tomorrow and one suspended overdue card."""
    other = LectureFactory(owner=user, subject=SubjectFactory(user=user, name="Databases"), status="completed")
    now = clock.at
    return {
        "a_old": FlashcardFactory(lecture=lecture, due_at=now - timedelta(days=2), review_count=1),
        "a_recent": FlashcardFactory(lecture=lecture, due_at=now - timedelta(hours=1), review_count=1),
        "b_due": FlashcardFactory(lecture=other, due_at=now - timedelta(days=1), review_count=1),
        "a_new": FlashcardFactory(lecture=lecture),
        "b_new": FlashcardFactory(lecture=other),
        "a_later": FlashcardFactory(lecture=lecture, due_at=now + timedelta(days=1), review_count=1),
        "a_suspended": FlashcardFactory(lecture=lecture, due_at=now - timedelta(days=9), suspended=True),
        "databases": other.subject,
    }


def test_across_subjects_the_most_overdue_come_first_then_new_cards(user, profile, two_subjects, clock):
    c = two_subjects
    queue = selectors.next_cards(user, profile, now=clock.at, limit=10)
    assert queue == [c["a_old"], c["b_due"], c["a_recent"], c["a_new"], c["b_new"]]
    assert selectors.queue_counts(user, profile, now=clock.at) == {"due": 3, "new": 2, "total": 5}


def test_a_subjects_queue_holds_only_its_cards(user, profile, subject, two_subjects, clock):
    c = two_subjects
    assert selectors.next_cards(user, profile, subject=subject, now=clock.at, limit=10) == [
        c["a_old"], c["a_recent"], c["a_new"],
    ]  # fmt: skip
    assert selectors.next_cards(user, profile, subject=c["databases"], now=clock.at, limit=10) == [
        c["b_due"], c["b_new"],
    ]  # fmt: skip
    assert selectors.queue_counts(user, profile, subject=c["databases"], now=clock.at)["total"] == 2


def test_suspended_cards_never_come_up(owner_client, user, profile, subject, two_subjects, clock):
    suspended = two_subjects["a_suspended"]
    for scope in (None, subject):
        assert suspended not in selectors.next_cards(user, profile, subject=scope, now=clock.at, limit=50)
    for card in selectors.cards_for_user(user).exclude(pk=suspended.pk):
        card.delete()
    html = owner_client.get(REVIEW).content.decode()
    assert f'data-card="{suspended.pk}"' not in html
    assert "Nothing to review" in html


def test_the_review_page_shows_the_most_overdue_card_of_the_subject(owner_client, subject, two_subjects):
    html = owner_client.get(REVIEW + f"?subject={subject.pk}").content.decode()
    assert f'data-card="{two_subjects["a_old"].pk}"' in html
    assert "<strong data-count-due>2</strong> due · <strong data-count-new>1</strong> new left today" in html


def test_new_cards_per_day_limits_the_queue(owner_client, user, profile, lecture, clock):
    profile.new_cards_per_day = 2
    profile.save()
    fresh = [FlashcardFactory(lecture=lecture) for _ in range(5)]
    assert selectors.queue_counts(user, profile, now=clock.at) == {"due": 0, "new": 2, "total": 2}
    assert selectors.next_cards(user, profile, now=clock.at, limit=10) == fresh[:2]

    for card in fresh[:2]:
        reviewing.grade_card(actor=user, card_id=card.pk, rating=4, seen_count=0, now=clock.at)

    assert selectors.new_cards_left_today(user, profile, clock.at) == 0
    assert selectors.next_cards(user, profile, now=clock.at, limit=10) == []
    html = owner_client.get(REVIEW).content.decode()
    assert "data-card=" not in html
    assert "All done for now" in html


def test_tomorrow_brings_new_cards_again(user, profile, lecture, clock):
    profile.new_cards_per_day = 1
    profile.save()
    first, second = FlashcardFactory(lecture=lecture), FlashcardFactory(lecture=lecture)
    reviewing.grade_card(actor=user, card_id=first.pk, rating=4, seen_count=0, now=clock.at)
    assert selectors.next_cards(user, profile, now=clock.at) == []
    tomorrow = clock.at + timedelta(days=1)
    assert selectors.next_cards(user, profile, now=tomorrow) == [second]


def test_a_learning_card_comes_back_when_its_step_is_due(user, profile, card, clock):
    reviewing.grade_card(actor=user, card_id=card.pk, rating=1, seen_count=0, now=clock.at)  # Again: 1 minute
    assert selectors.next_cards(user, profile, now=clock.at) == []
    card.refresh_from_db()
    assert selectors.next_cards(user, profile, now=card.due_at) == [card]


def test_suspending_from_the_review_page_takes_the_card_out(owner_client, cards, htmx_headers):
    first, second, _ = cards
    html = owner_client.post(reverse("flashcards:review_suspend", args=[first.pk]), **htmx_headers).content.decode()
    first.refresh_from_db()
    assert first.suspended
    assert "Card suspended" in html
    assert f'data-card="{second.pk}"' in html


def test_another_users_cards_are_not_in_my_queue(user, other_user, profile, clock):
    FlashcardFactory(lecture__owner=other_user, due_at=clock.at - timedelta(days=1))
    FlashcardFactory(lecture__owner=other_user)
    assert selectors.next_cards(user, profile, now=clock.at, limit=10) == []
    assert selectors.queue_counts(user, profile, now=clock.at)["total"] == 0


def test_the_profiles_new_cards_per_day_sets_the_limit(owner_client, user, lecture):
    for _ in range(4):
        FlashcardFactory(lecture=lecture)
    data = {"full_name": "", "email": user.email, "srs_algorithm": "fsrs", "desired_retention": "0.9"}
    owner_client.post(reverse("accounts:profile"), {**data, "new_cards_per_day": "1"})
    html = owner_client.get(REVIEW).content.decode()
    assert "<strong data-count-new>1</strong> new left today" in html
