"""SM-2 against the seed's function (seeds/action-flows.md §7) and hand-computed values."""

import random
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from apps.flashcards.scheduling import CardState, SM2Scheduler, scheduler_for, sm2_step

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def seed_update_flashcard(quality, card, now):
    """The seed's function, verbatim except that ``datetime.now()`` is passed in as ``now``."""
    if quality >= 3:
        # Correct response
        if card.repetitions == 0:
            card.interval = 1
        elif card.repetitions == 1:
            card.interval = 6
        else:
            card.interval = round(card.interval * card.ease_factor)

        card.repetitions += 1
    else:
        # Incorrect response - reset
        card.repetitions = 0
        card.interval = 1

    # Update ease factor
    card.ease_factor = card.ease_factor + (0.1 - (5 - quality) * (0.08 + (5 - quality) * 0.02))

    if card.ease_factor < 1.3:
        card.ease_factor = 1.3

    # Set next review date
    card.next_review = now + timedelta(days=card.interval)

    return card


# (quality, repetitions, interval, ease) after each step, worked by hand from the seed, starting from
# the seed's defaults repetitions=0, interval=0, ease=2.5:
#   q=5: first repetition → interval 1; ease 2.5 + 0.1 = 2.6
#   q=5: second → interval 6; ease 2.7
#   q=5: round(6 × 2.7 = 16.2) = 16; ease 2.8
#   q=3: round(16 × 2.8 = 44.8) = 45; ease 2.8 + (0.1 - 2 × (0.08 + 0.04)) = 2.8 - 0.14 = 2.66
#   q=2: fail → repetitions 0, interval 1; ease 2.66 + (0.1 - 3 × (0.08 + 0.06)) = 2.66 - 0.32 = 2.34
#   q=4: first repetition again → interval 1; ease 2.34 + (0.1 - 1 × (0.08 + 0.02)) = 2.34 + 0 = 2.34
WORKED = [
    (5, 1, 1, 2.6),
    (5, 2, 6, 2.7),
    (5, 3, 16, 2.8),
    (3, 4, 45, 2.66),
    (2, 0, 1, 2.34),
    (4, 1, 1, 2.34),
]

# Always q=3 (ease -0.14 a time): 1, 6, round(6 × 2.22 = 13.32) = 13, round(13 × 2.08 = 27.04) = 27,
# round(27 × 1.94 = 52.38) = 52, round(52 × 1.80 = 93.6) = 94, round(94 × 1.66 = 156.04) = 156,
# round(156 × 1.52 = 237.12) = 237, then ease 1.38 - 0.14 = 1.24 → floor 1.3 and round(237 × 1.38 = 327.06) = 327.
ALWAYS_HARD = [
    (1, 1, 2.36),
    (2, 6, 2.22),
    (3, 13, 2.08),
    (4, 27, 1.94),
    (5, 52, 1.80),
    (6, 94, 1.66),
    (7, 156, 1.52),
    (8, 237, 1.38),
    (9, 327, 1.3),
]


def test_worked_sequence_5_5_5_3_2_4():
    reps, interval, ease = 0, 0, 2.5
    for quality, want_reps, want_interval, want_ease in WORKED:
        reps, interval, ease = sm2_step(quality, reps, interval, ease)
        assert (reps, interval) == (want_reps, want_interval), quality
        assert ease == pytest.approx(want_ease, abs=1e-9), quality


def test_worked_sequence_through_the_scheduler_sets_due_dates():
    scheduler = SM2Scheduler()
    state, now = CardState(), NOW
    for quality, want_reps, want_interval, want_ease in WORKED:
        result = scheduler.grade_quality(state, quality, now)
        state = result.state
        assert state.repetitions == want_reps
        assert state.interval_days == want_interval
        assert state.ease_factor == pytest.approx(want_ease, abs=1e-9)
        assert state.due == now + timedelta(days=want_interval)
        assert state.last_review == now
        assert result.interval_days == float(want_interval)
        assert result.rating == quality
        now = state.due  # review on time


def test_always_quality_3_reaches_the_ease_floor():
    reps, interval, ease = 0, 0, 2.5
    for want_reps, want_interval, want_ease in ALWAYS_HARD:
        reps, interval, ease = sm2_step(3, reps, interval, ease)
        assert (reps, interval) == (want_reps, want_interval)
        assert ease == pytest.approx(want_ease, abs=1e-9)
    assert ease == 1.3


@pytest.mark.parametrize(
    ("ease", "quality", "want_reps", "want_interval", "want_ease"),
    [
        (1.3, 0, 0, 1, 1.3),  # 1.3 - 0.8 = 0.5 → floor
        (1.3, 1, 0, 1, 1.3),  # 1.3 - 0.54 → floor
        (1.5, 2, 0, 1, 1.3),  # 1.5 - 0.32 = 1.18 → floor
        (1.4, 3, 4, 14, 1.3),  # interval uses the old ease: round(10 × 1.4) = 14; 1.4 - 0.14 = 1.26 → floor
        (1.44, 3, 4, 14, 1.3),  # round(14.4) = 14; 1.44 - 0.14 lands exactly on 1.3
        (1.3, 4, 4, 13, 1.3),  # q=4 leaves the ease at the floor: round(10 × 1.3) = 13
        (1.3, 5, 4, 13, 1.4),  # and q=5 lifts it off the floor
        (2.5, 0, 0, 1, 1.7),  # blackout: 2.5 - 0.8
        (2.5, 1, 0, 1, 1.96),  # 2.5 - 0.54
    ],
)
def test_ease_floor_and_deltas(ease, quality, want_reps, want_interval, want_ease):
    reps, interval, new_ease = sm2_step(quality, 3, 10, ease)
    assert (reps, interval) == (want_reps, want_interval)
    assert new_ease == pytest.approx(want_ease, abs=1e-9)
    assert new_ease >= 1.3


def test_round_is_pythons_half_to_even_like_the_seed():
    assert sm2_step(4, 2, 6, 2.25)[1] == 14  # 13.5 → 14
    assert sm2_step(4, 2, 6, 2.75)[1] == 16  # 16.5 → 16


def test_matches_the_seed_function_on_random_histories():
    rng = random.Random(2025)
    for _ in range(200):
        card = SimpleNamespace(repetitions=0, interval=0, ease_factor=2.5, next_review=None)
        state, now = CardState(), NOW
        for _ in range(rng.randint(1, 25)):
            quality = rng.randint(0, 5)
            seed_update_flashcard(quality, card, now)
            state = SM2Scheduler().grade_quality(state, quality, now).state
            assert (state.repetitions, state.interval_days, state.ease_factor, state.due) == (
                card.repetitions,
                card.interval,
                card.ease_factor,
                card.next_review,
            )
            now += timedelta(days=rng.randint(0, 40), minutes=rng.randint(0, 600))


@pytest.mark.parametrize(("rating", "quality"), [(1, 1), (2, 3), (3, 4), (4, 5)])
def test_buttons_map_to_qualities(rating, quality):
    state = CardState(due=NOW, last_review=NOW - timedelta(days=6), repetitions=2, interval_days=6, ease_factor=2.5)
    by_button = SM2Scheduler().grade(state, rating, NOW)
    by_quality = SM2Scheduler().grade_quality(state, quality, NOW)
    assert by_button == by_quality
    assert by_button.rating == quality  # what goes into ReviewLog.rating for an SM-2 review


def test_button_effects_on_ease():
    state = CardState(due=NOW, repetitions=2, interval_days=6, ease_factor=2.5)
    sm2 = SM2Scheduler()
    assert sm2.grade(state, 1, NOW).state.ease_factor == pytest.approx(1.96)  # Again: fail, -0.54
    assert sm2.grade(state, 1, NOW).state.repetitions == 0
    assert sm2.grade(state, 2, NOW).state.ease_factor == pytest.approx(2.36)  # Hard: pass, -0.14
    assert sm2.grade(state, 2, NOW).state.interval_days == 15
    assert sm2.grade(state, 3, NOW).state.ease_factor == pytest.approx(2.5)  # Good: unchanged
    assert sm2.grade(state, 4, NOW).state.ease_factor == pytest.approx(2.6)  # Easy: +0.1


def test_fsrs_fields_are_left_alone_and_log_fields():
    state = CardState(fsrs_state=2, fsrs_step=None, stability=12.5, difficulty=4.2)
    result = scheduler_for("sm2").grade(state, 3, NOW)
    assert (result.state.fsrs_state, result.state.fsrs_step, result.stability, result.difficulty) == (
        2,
        None,
        12.5,
        4.2,
    )
    assert result.log_fields() == {
        "algorithm": "sm2",
        "rating": 4,
        "due_before": None,
        "due_after": NOW + timedelta(days=1),
        "interval_days": 1.0,
    }


def test_preview_matches_grading():
    sm2 = SM2Scheduler()
    state = CardState(due=NOW, repetitions=3, interval_days=16, ease_factor=2.8)
    preview = sm2.preview(state, NOW)
    assert preview == {1: timedelta(days=1), 2: timedelta(days=45), 3: timedelta(days=45), 4: timedelta(days=45)}
    for rating, interval in preview.items():
        assert sm2.grade(state, rating, NOW).interval == interval


@pytest.mark.parametrize("quality", [-1, 6, 2.5, True, "3", None])
def test_bad_quality(quality):
    with pytest.raises(ValueError):
        SM2Scheduler().grade_quality(CardState(), quality, NOW)


@pytest.mark.parametrize("rating", [0, 5, True, "3", None])
def test_bad_rating(rating):
    with pytest.raises(ValueError):
        SM2Scheduler().grade(CardState(), rating, NOW)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        SM2Scheduler().grade(CardState(), 3, datetime(2025, 3, 1, 9, 0))
    with pytest.raises(ValueError):
        SM2Scheduler().grade(CardState(due=datetime(2025, 3, 1)), 3, NOW)
