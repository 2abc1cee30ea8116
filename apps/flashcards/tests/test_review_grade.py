"""POST /flashcards/review/grade/: a grade writes the card's new state and one ReviewLog row, on the algorithm the
profile names, and a repeated POST of the same review (double submit, second tab) does nothing."""

from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from apps.flashcards import scheduling
from apps.flashcards.models import Flashcard, ReviewLog
from apps.flashcards.reviewing import state_of

from .conftest import set_algorithm

pytestmark = pytest.mark.django_db
GRADE = reverse("flashcards:grade")


def _grade(client, card, rating, *, seen=None, htmx=False, **extra):
    data = {"card": card.pk, "rating": rating, "seen": card.review_count if seen is None else seen, **extra}
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(GRADE, data, **headers)


def _state(card):
    fields = model_to_dict(card)
    fields.pop("updated_at", None)
    return fields


@pytest.mark.parametrize("rating", [1, 2, 3, 4])
def test_it_grades_a_new_card_with_fsrs_like_the_fsrs_package(owner_client, user, card, clock, rating):
    set_algorithm(user, "fsrs")
    expected = scheduling.scheduler_for("fsrs", fuzz=False).grade(scheduling.CardState(), rating, clock.at)

    response = _grade(owner_client, card, rating, duration_ms=5400)

    assert response.status_code == 302
    card.refresh_from_db()
    assert card.review_count == 1
    assert card.last_reviewed_at == clock.at
    assert card.fsrs_state == expected.state.fsrs_state
    assert card.fsrs_step == expected.state.fsrs_step
    assert card.stability == pytest.approx(expected.state.stability)
    assert card.difficulty == pytest.approx(expected.state.difficulty)
    # fuzz is on for real grades; it only moves intervals of 2.5 days and more, by up to about a quarter
    fuzz = (expected.due - clock.at) * 0.3 if rating == 4 else timedelta(0)
    assert abs(card.due_at - expected.due) <= fuzz + timedelta(days=1 if rating == 4 else 0)
    log = ReviewLog.objects.get(card=card)
    assert (log.algorithm, log.rating, log.duration_ms, log.was_new) == ("fsrs", rating, 5400, True)
    assert log.due_before is None and log.due_after == card.due_at
    assert (log.state, log.stability, log.difficulty) == (card.fsrs_state, card.stability, card.difficulty)
    assert log.reviewed_at == clock.at
    assert log.interval_days == pytest.approx((card.due_at - clock.at) / timedelta(days=1))


@pytest.mark.parametrize(("rating", "quality", "interval"), [(1, 1, 1), (2, 3, 6), (3, 4, 6), (4, 5, 6)])
def test_it_grades_with_sm2_and_logs_the_quality(owner_client, user, lecture, clock, rating, quality, interval):
    """An SM-2 card at repetition 1 (interval 1 day): a pass gives 6 days, Again starts over at 1 day."""
    from tests.factories import FlashcardFactory

    set_algorithm(user, "sm2")
    due = clock.at - timedelta(hours=1)
    card = FlashcardFactory(
        lecture=lecture, due_at=due, last_reviewed_at=due - timedelta(days=1), repetitions=1, interval_days=1,
        ease_factor=2.5, review_count=1,
    )  # fmt: skip
    reps, ivl, ease = scheduling.sm2_step(quality, 1, 1, 2.5)

    assert _grade(owner_client, card, rating).status_code == 302

    card.refresh_from_db()
    assert (card.repetitions, card.interval_days, card.ease_factor) == (reps, ivl, pytest.approx(ease))
    assert ivl == interval
    assert card.due_at == clock.at + timedelta(days=interval)
    log = ReviewLog.objects.get(card=card)
    assert (log.algorithm, log.rating, log.was_new) == ("sm2", quality, False)
    assert (log.due_before, log.due_after) == (due, card.due_at)
    assert log.interval_days == interval


def test_it_refuses_a_second_grade_of_the_same_review(owner_client, card, clock, htmx_headers):
    _grade(owner_client, card, 3, seen=0, htmx=True)
    card.refresh_from_db()
    after_first = _state(card)

    response = _grade(owner_client, card, 1, seen=0, htmx=True)

    assert response.status_code == 200
    assert "already graded" in response.content.decode()
    card.refresh_from_db()
    assert _state(card) == after_first
    assert ReviewLog.objects.filter(card=card).count() == 1


def test_a_double_submit_without_htmx_redirects_to_the_review_page(owner_client, card, subject):
    _grade(owner_client, card, 3, seen=0, subject=subject.pk)
    response = _grade(owner_client, card, 3, seen=0, subject=subject.pk)
    assert response.status_code == 302
    assert response["Location"] == reverse("flashcards:review") + f"?subject={subject.pk}"
    assert ReviewLog.objects.count() == 1


def test_the_response_to_a_grade_is_the_next_card(owner_client, cards, htmx_headers):
    first, second, _ = cards
    html = _grade(owner_client, first, 4, htmx=True).content.decode()
    assert html.lstrip().startswith('<section class="review" id="review-card"')
    assert f'data-card="{second.pk}"' in html
    assert "<html" not in html


def test_grading_a_card_deleted_in_another_tab_is_404(owner_client, card):
    stale = Flashcard.objects.get(pk=card.pk)
    card.delete()
    response = _grade(owner_client, stale, 3)
    assert response.status_code == 404
    assert ReviewLog.objects.count() == 0


@pytest.mark.parametrize("rating", ["0", "5", "good", ""])
def test_a_rating_that_is_not_a_button_is_refused(owner_client, card, rating):
    before = _state(card)
    response = owner_client.post(GRADE, {"card": card.pk, "rating": rating, "seen": 0})
    assert response.status_code == 400
    card.refresh_from_db()
    assert _state(card) == before
    assert ReviewLog.objects.count() == 0


def test_a_grade_without_a_seen_count_does_nothing(owner_client, card):
    response = owner_client.post(GRADE, {"card": card.pk, "rating": 3})
    assert response.status_code == 302  # shown the review page again, with the card
    assert ReviewLog.objects.count() == 0


def test_the_time_taken_is_capped_and_junk_is_dropped(owner_client, cards):
    _grade(owner_client, cards[0], 3, duration_ms=99_999_999)
    _grade(owner_client, cards[1], 3, duration_ms="soon")
    logs = {log.card_id: log.duration_ms for log in ReviewLog.objects.all()}
    assert logs == {cards[0].pk: 3_600_000, cards[1].pk: None}


def test_a_graded_card_keeps_the_state_the_scheduler_gave(user, card, clock):
    """The row round-trips into the same CardState the scheduler returned (no field lost)."""
    from apps.flashcards import reviewing

    set_algorithm(user, "fsrs")
    log = reviewing.grade_card(actor=user, card_id=card.pk, rating=3, seen_count=0, now=clock.at)
    card.refresh_from_db()
    expected = scheduling.scheduler_for("fsrs", fuzz=False).grade(scheduling.CardState(), 3, clock.at).state
    assert state_of(card) == expected
    assert log.due_after == expected.due
