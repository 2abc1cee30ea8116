"""Switching the spaced-repetition algorithm on the profile page keeps every ReviewLog row and rebuilds each
reviewed card's state from its log, exactly as ``apps.flashcards.scheduling.replay`` does on the same events."""

from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from apps.accounts.models import Profile
from apps.flashcards import reviewing, scheduling
from apps.flashcards.models import Flashcard, ReviewLog
from tests.factories import FlashcardFactory

from .conftest import set_algorithm

pytestmark = pytest.mark.django_db
PROFILE = reverse("accounts:profile")


def _switch(client, user, algorithm, retention="0.9"):
    data = {
        "full_name": "Lin",
        "email": user.email,
        "srs_algorithm": algorithm,
        "desired_retention": retention,
        "new_cards_per_day": "20",
    }
    response = client.post(PROFILE, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == PROFILE
    return Profile.objects.get(user=user)


def _review(user, card, ratings, clock, *, wait=True):
    """Grade ``card`` with each rating when it next comes due (the clock moves to its due time), or at once."""
    for rating in ratings:
        card.refresh_from_db()
        if card.due_at and wait:
            clock.at = max(clock.at, card.due_at)
        reviewing.grade_card(actor=user, card_id=card.pk, rating=rating, seen_count=card.review_count, now=clock.at)
        clock.advance(minutes=1)


def _events(card):
    return [
        scheduling.ReviewEvent(rating=r.rating, reviewed_at=r.reviewed_at, algorithm=r.algorithm, card_id=card.pk)
        for r in ReviewLog.objects.filter(card=card).order_by("reviewed_at", "pk")
    ]


def _logs():
    return sorted(tuple(sorted(model_to_dict(r).items())) for r in ReviewLog.objects.all())


def _assert_state(card, expected):
    card.refresh_from_db()
    got = reviewing.state_of(card)
    assert got.due == expected.due
    assert got.last_review == expected.last_review
    assert got.repetitions == expected.repetitions
    assert got.interval_days == expected.interval_days
    assert got.ease_factor == pytest.approx(expected.ease_factor)
    assert got.fsrs_state == expected.fsrs_state
    assert got.fsrs_step == expected.fsrs_step
    assert got.stability == pytest.approx(expected.stability)
    assert got.difficulty == pytest.approx(expected.difficulty)


@pytest.fixture
def history(user, lecture, clock):
    """Two cards reviewed over weeks with FSRS (intervals long enough to be fuzzed), one card never reviewed."""
    set_algorithm(user, "fsrs")
    today = clock.at
    clock.at = today - timedelta(days=400)
    steady, shaky = FlashcardFactory(lecture=lecture), FlashcardFactory(lecture=lecture)
    _review(user, steady, [3, 3, 3, 4, 3], clock)
    _review(user, shaky, [1, 3, 3, 1, 2, 3], clock)
    assert clock.at < today
    clock.at = today  # back at the real day: the test client's session stays valid
    return steady, shaky, FlashcardFactory(lecture=lecture)


def test_switching_to_sm2_keeps_the_log_and_replays_it(owner_client, user, history):
    steady, shaky, fresh = history
    logs = _logs()
    assert len(logs) == 11
    fresh_before = model_to_dict(fresh)

    profile = _switch(owner_client, user, "sm2")

    assert profile.srs_algorithm == "sm2"
    assert _logs() == logs
    for card in (steady, shaky):
        _assert_state(card, scheduling.replay("sm2", _events(card)))
    fresh.refresh_from_db()
    assert model_to_dict(fresh) == fresh_before


def test_switching_back_to_fsrs_rebuilds_the_same_state_every_time(owner_client, user, history):
    steady, shaky, _ = history
    _switch(owner_client, user, "sm2")
    _switch(owner_client, user, "fsrs")
    first = {c.pk: reviewing.state_of(c) for c in Flashcard.objects.filter(pk__in=[steady.pk, shaky.pk])}
    for card in (steady, shaky):
        _assert_state(card, scheduling.replay("fsrs", _events(card)))
    _switch(owner_client, user, "sm2")
    _switch(owner_client, user, "fsrs")
    again = {c.pk: reviewing.state_of(c) for c in Flashcard.objects.filter(pk__in=[steady.pk, shaky.pk])}
    assert again == first


def test_the_rebuild_uses_the_desired_retention(owner_client, user, history):
    steady, _, _ = history
    _switch(owner_client, user, "sm2")
    _switch(owner_client, user, "fsrs", retention="0.8")
    _assert_state(steady, scheduling.replay("fsrs", _events(steady), desired_retention=0.8))


def test_a_mixed_log_replays_both_scales(owner_client, user, history, clock):
    steady, _, _ = history
    _switch(owner_client, user, "sm2")
    _review(user, steady, [4, 2], clock, wait=False)  # early reviews, logged as SM-2 qualities 5 and 3
    assert list(ReviewLog.objects.filter(card=steady, algorithm="sm2").values_list("rating", flat=True)) == [3, 5]
    _switch(owner_client, user, "fsrs")
    _assert_state(steady, scheduling.replay("fsrs", _events(steady)))
    assert ReviewLog.objects.filter(card=steady).count() == 7


def test_saving_the_profile_without_a_switch_changes_no_card(owner_client, user, history):
    before = sorted(tuple(sorted(model_to_dict(c).items(), key=str)) for c in Flashcard.objects.all())
    _switch(owner_client, user, "fsrs")
    after = sorted(tuple(sorted(model_to_dict(c).items(), key=str)) for c in Flashcard.objects.all())
    assert after == before


def test_another_users_cards_are_left_alone(owner_client, user, other_user, history, clock):
    theirs = FlashcardFactory(lecture__owner=other_user)
    _review(other_user, theirs, [3, 3], clock)
    theirs.refresh_from_db()
    before = model_to_dict(theirs)
    _switch(owner_client, user, "sm2")
    theirs.refresh_from_db()
    assert model_to_dict(theirs) == before


def test_a_retention_outside_the_range_is_refused(owner_client, user, history):
    data = {"full_name": "", "email": user.email, "srs_algorithm": "sm2", "desired_retention": "0.99"}
    response = owner_client.post(PROFILE, {**data, "new_cards_per_day": "20"})
    assert response.status_code == 200
    assert Profile.objects.get(user=user).srs_algorithm == "fsrs"
