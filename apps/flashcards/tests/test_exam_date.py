"""A subject's exam date (POST /flashcards/subject/<pk>/exam-date/): cards whose next interval would jump past the
exam come up once more before it, and the subject page says how many reviews a day that takes. Frozen clock."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from apps.flashcards import reviewing
from apps.subjects.models import Subject
from tests.factories import FlashcardFactory

from .conftest import set_algorithm

pytestmark = pytest.mark.django_db


def _set_exam(client, subject, value):
    return client.post(reverse("flashcards:exam_date", args=[subject.pk]), {"exam_date": value}, follow=True)


def _mature_card(lecture, clock):
    """An SM-2 card at its third pass (interval 30 days): Good would give round(30 * 2.5) = 75 days."""
    return FlashcardFactory(
        lecture=lecture, due_at=clock.at - timedelta(hours=1), last_reviewed_at=clock.at - timedelta(days=30),
        repetitions=3, interval_days=30, ease_factor=2.5, review_count=3,
        fsrs_state=2, fsrs_step=None, stability=30.0, difficulty=5.0,
    )  # fmt: skip


@pytest.mark.parametrize("algorithm", ["sm2", "fsrs"])
def test_a_card_whose_interval_jumps_past_the_exam_is_due_before_it(
    owner_client, user, subject, lecture, clock, algorithm
):
    set_algorithm(user, algorithm)
    exam = (clock.at + timedelta(days=10)).date()
    _set_exam(owner_client, subject, exam.isoformat())
    card = _mature_card(lecture, clock)

    owner_client.post(reverse("flashcards:grade"), {"card": card.pk, "rating": 3, "seen": 3})

    card.refresh_from_db()
    day_before = datetime.combine(exam - timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    assert card.due_at == day_before
    assert clock.at < card.due_at < datetime.combine(exam, datetime.min.time(), tzinfo=UTC)
    if algorithm == "sm2":
        assert card.interval_days == 75  # the interval grows as usual; only the due date is pulled in


def test_without_an_exam_date_the_interval_is_kept(owner_client, user, lecture, clock):
    set_algorithm(user, "sm2")
    card = _mature_card(lecture, clock)
    owner_client.post(reverse("flashcards:grade"), {"card": card.pk, "rating": 3, "seen": 3})
    card.refresh_from_db()
    assert card.due_at == clock.at + timedelta(days=75)


def test_a_card_due_before_the_exam_anyway_is_not_moved(owner_client, user, subject, lecture, clock):
    set_algorithm(user, "sm2")
    _set_exam(owner_client, subject, (clock.at + timedelta(days=200)).date().isoformat())
    card = _mature_card(lecture, clock)
    owner_client.post(reverse("flashcards:grade"), {"card": card.pk, "rating": 3, "seen": 3})
    card.refresh_from_db()
    assert card.due_at == clock.at + timedelta(days=75)


def test_the_subject_page_says_how_many_reviews_a_day_until_the_exam(owner_client, subject, lecture, clock):
    for _ in range(6):
        FlashcardFactory(lecture=lecture)
    FlashcardFactory(lecture=lecture, due_at=clock.at + timedelta(days=40), review_count=1)  # after the exam
    exam = (clock.at + timedelta(days=3)).date()

    html = _set_exam(owner_client, subject, exam.isoformat()).content.decode()

    assert "Exam date saved." in html
    assert "Reviews a day until the exam</dt><dd>2</dd>" in html  # 6 cards over 3 days
    assert "3 days to go" in html
    assert f'value="{exam.isoformat()}"' in html
    assert Subject.objects.get(pk=subject.pk).exam_date == exam


@pytest.mark.parametrize(("new_cards", "days", "per_day"), [(7, 3, 3), (1, 5, 1), (0, 5, 0)])
def test_reviews_a_day_are_rounded_up(owner_client, subject, lecture, clock, new_cards, days, per_day):
    """Enough a day to see every card before the exam (a card due after it needs none)."""
    for _ in range(new_cards):
        FlashcardFactory(lecture=lecture)
    FlashcardFactory(lecture=lecture, due_at=clock.at + timedelta(days=days + 10), review_count=1)
    html = _set_exam(owner_client, subject, (clock.at + timedelta(days=days)).date().isoformat()).content.decode()
    assert f"Reviews a day until the exam</dt><dd>{per_day}</dd>" in html


def test_a_past_exam_date_is_refused_with_a_message(owner_client, subject, clock):
    yesterday = (clock.at - timedelta(days=1)).date()
    html = _set_exam(owner_client, subject, yesterday.isoformat()).content.decode()
    assert "The exam date is in the past." in html
    assert Subject.objects.get(pk=subject.pk).exam_date is None


def test_today_is_a_valid_exam_date(owner_client, subject, clock):
    _set_exam(owner_client, subject, clock.at.date().isoformat())
    assert Subject.objects.get(pk=subject.pk).exam_date == clock.at.date()


def test_a_date_that_is_not_a_date_is_refused(owner_client, subject):
    html = _set_exam(owner_client, subject, "next friday").content.decode()
    assert "Enter the exam date as a date." in html
    assert Subject.objects.get(pk=subject.pk).exam_date is None


def test_an_exam_date_can_be_removed(owner_client, subject, clock):
    _set_exam(owner_client, subject, (clock.at + timedelta(days=5)).date().isoformat())
    html = _set_exam(owner_client, subject, "").content.decode()
    assert "Exam date removed." in html
    assert Subject.objects.get(pk=subject.pk).exam_date is None
    assert "Reviews a day until the exam" not in html


def test_switching_algorithm_keeps_cards_before_the_exam(user, subject, lecture, clock):
    """The rebuilt schedule is fitted to the exam too."""
    set_algorithm(user, "fsrs")
    card = FlashcardFactory(lecture=lecture)
    start = clock.at
    for days_ago, rating in ((20, 3), (19, 3), (15, 4), (5, 3)):  # SM-2 replay: 1, 6, 15, then 38 days
        clock.at = start - timedelta(days=days_ago)
        card.refresh_from_db()
        reviewing.grade_card(actor=user, card_id=card.pk, rating=rating, seen_count=card.review_count)
    clock.at = start
    assert reviewing.scheduling.replay("sm2", [
        reviewing.scheduling.ReviewEvent(r.rating, r.reviewed_at, r.algorithm) for r in card.reviews.all()
    ]).due > start + timedelta(days=30)  # fmt: skip
    exam = (start + timedelta(days=4)).date()
    Subject.objects.filter(pk=subject.pk).update(exam_date=exam)

    reviewing.switch_algorithm(actor=user, algorithm="sm2")

    card.refresh_from_db()
    assert card.due_at < datetime.combine(exam, datetime.min.time(), tzinfo=UTC)
