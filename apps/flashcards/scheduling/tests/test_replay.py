"""Rebuilding state from the review log when the algorithm changes."""

import random
from datetime import UTC, datetime, timedelta

import fsrs
import pytest

from apps.flashcards.scheduling import (
    QUALITY_TO_RATING,
    RATING_TO_QUALITY,
    CardState,
    ReviewEvent,
    replay,
    scheduler_for,
    sm2_step,
)

T0 = datetime(2025, 2, 3, 7, 30, tzinfo=UTC)


def history(algorithm, values, gaps_minutes):
    t, events = T0, []
    for value, gap in zip(values, gaps_minutes, strict=True):
        t += timedelta(minutes=gap)
        events.append(ReviewEvent(rating=value, reviewed_at=t, algorithm=algorithm))
    return events


FSRS_LOG = history("fsrs", [3, 3, 3, 1, 3, 2, 4, 3], [0, 10, 2880, 14400, 10, 4320, 8640, 30000])
SM2_LOG = history("sm2", [5, 4, 4, 2, 3, 0, 5, 4], [0, 1440, 8640, 20000, 1440, 1440, 1440, 8640])


def test_mappings():
    assert QUALITY_TO_RATING == {0: 1, 1: 1, 2: 1, 3: 2, 4: 3, 5: 4}
    assert RATING_TO_QUALITY == {1: 1, 2: 3, 3: 4, 4: 5}
    # button → SM-2 quality → FSRS rating is the identity
    assert {r: QUALITY_TO_RATING[q] for r, q in RATING_TO_QUALITY.items()} == {1: 1, 2: 2, 3: 3, 4: 4}


def test_empty_log_gives_a_new_card():
    assert replay("fsrs", []) == CardState()
    assert replay("sm2", []) == CardState()


def test_fsrs_replay_equals_reschedule_card():
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    logs = [fsrs.ReviewLog(7, fsrs.Rating(e.rating), e.reviewed_at, None) for e in FSRS_LOG]
    expected = scheduler.reschedule_card(fsrs.Card(card_id=7, due=T0), logs)
    state = replay("fsrs", FSRS_LOG)
    assert state.due == expected.due
    assert state.last_review == expected.last_review == FSRS_LOG[-1].reviewed_at
    assert (state.stability, state.difficulty, state.fsrs_state, state.fsrs_step) == (
        expected.stability,
        expected.difficulty,
        int(expected.state),
        expected.step,
    )


def test_fsrs_replay_equals_grading_review_by_review():
    sched = scheduler_for("fsrs", fuzz=False)
    state = CardState()
    for event in FSRS_LOG:
        state = sched.grade(state, event.rating, event.reviewed_at).state
    assert replay("fsrs", FSRS_LOG) == state


def test_fsrs_replay_with_user_settings():
    params = list(fsrs.Scheduler().parameters)
    params[0] = 0.5
    scheduler = fsrs.Scheduler(parameters=params, desired_retention=0.8, enable_fuzzing=False)
    logs = [fsrs.ReviewLog(0, fsrs.Rating(e.rating), e.reviewed_at, None) for e in FSRS_LOG]
    expected = scheduler.reschedule_card(fsrs.Card(card_id=0, due=T0), logs)
    state = replay("fsrs", FSRS_LOG, desired_retention=0.8, parameters=params)
    assert (state.due, state.stability, state.difficulty) == (expected.due, expected.stability, expected.difficulty)


def test_sm2_log_into_fsrs_maps_qualities():
    mapped = [ReviewEvent(QUALITY_TO_RATING[e.rating], e.reviewed_at, "fsrs") for e in SM2_LOG]
    assert [e.rating for e in mapped] == [4, 3, 3, 1, 2, 1, 4, 3]
    assert replay("fsrs", SM2_LOG) == replay("fsrs", mapped)


def test_quality_2_is_a_lapse_in_fsrs():
    log = history("sm2", [4, 4, 2], [0, 1440 * 3, 1440 * 10])
    state = replay("fsrs", log)
    assert state.fsrs_state == 3  # relearning
    assert state.repetitions == 0


def test_sm2_replay_of_sm2_log_equals_the_seed_step_by_step():
    reps, interval, ease = 0, 0, 2.5
    for event in SM2_LOG:
        reps, interval, ease = sm2_step(event.rating, reps, interval, ease)
    state = replay("sm2", SM2_LOG)
    assert (state.repetitions, state.interval_days, state.ease_factor) == (reps, interval, ease)
    assert state.last_review == SM2_LOG[-1].reviewed_at
    assert state.due == SM2_LOG[-1].reviewed_at + timedelta(days=interval)


def test_fsrs_log_into_sm2_maps_ratings():
    # FSRS 3, 3, 3, 1, 3, 2, 4, 3 → qualities 4, 4, 4, 1, 4, 3, 5, 4:
    # 1, 6, round(6 × 2.5) = 15, fail → 1 (ease 2.5 - 0.54 = 1.96), 1, 6 (ease 1.82), 6 × 1.82 → 11 (ease 1.92),
    # round(11 × 1.92 = 21.12) = 21 (ease 1.92)
    state = replay("sm2", FSRS_LOG)
    assert (state.repetitions, state.interval_days) == (4, 21)
    assert state.ease_factor == pytest.approx(1.92)
    mapped = [ReviewEvent(RATING_TO_QUALITY[e.rating], e.reviewed_at, "sm2") for e in FSRS_LOG]
    assert replay("sm2", FSRS_LOG) == replay("sm2", mapped)


def test_mixed_log_uses_each_events_own_scale():
    mixed = SM2_LOG[:4] + history("fsrs", [3, 3, 1, 4], [40000, 10, 5000, 8000])
    # the second half starts after the first
    assert mixed[4].reviewed_at > mixed[3].reviewed_at
    as_fsrs = [
        ReviewEvent(QUALITY_TO_RATING[e.rating] if e.algorithm == "sm2" else e.rating, e.reviewed_at) for e in mixed
    ]
    assert replay("fsrs", mixed) == replay("fsrs", as_fsrs)
    as_sm2 = [
        ReviewEvent(RATING_TO_QUALITY[e.rating] if e.algorithm == "fsrs" else e.rating, e.reviewed_at, "sm2")
        for e in mixed
    ]
    assert replay("sm2", mixed) == replay("sm2", as_sm2)


def test_switching_back_and_forth_loses_nothing():
    """An SM-2 user pressing buttons logs qualities; FSRS replay of them is what FSRS would have done."""
    buttons = [3, 3, 3, 1, 3, 2, 4, 3]
    sm2 = scheduler_for("sm2")
    fsrs_sched = scheduler_for("fsrs", fuzz=False)
    sm2_state, fsrs_state = CardState(), CardState()
    log = []
    for button, event in zip(buttons, FSRS_LOG, strict=True):
        result = sm2.grade(sm2_state, button, event.reviewed_at)
        sm2_state = result.state
        log.append(ReviewEvent(result.rating, event.reviewed_at, "sm2"))
        fsrs_state = fsrs_sched.grade(fsrs_state, button, event.reviewed_at).state
    assert replay("fsrs", log) == fsrs_state
    assert replay("sm2", log) == sm2_state
    assert replay("sm2", FSRS_LOG) == sm2_state  # the same buttons logged under FSRS


def test_order_does_not_matter():
    shuffled = FSRS_LOG[:]
    random.Random(3).shuffle(shuffled)
    assert replay("fsrs", shuffled) == replay("fsrs", FSRS_LOG)
    assert replay("sm2", shuffled) == replay("sm2", FSRS_LOG)


def test_repetitions_after_fsrs_replay_is_the_trailing_streak():
    assert replay("fsrs", FSRS_LOG).repetitions == 4
    assert replay("fsrs", FSRS_LOG[:4]).repetitions == 0


def test_replay_is_deterministic_by_default_and_can_fuzz():
    assert replay("fsrs", FSRS_LOG) == replay("fsrs", FSRS_LOG)
    random.seed(11)
    fuzzed = replay("fsrs", FSRS_LOG, fuzz=True)
    random.seed(11)
    assert replay("fsrs", FSRS_LOG, fuzz=True) == fuzzed


@pytest.mark.parametrize(
    "events",
    [
        [ReviewEvent(5, T0, "fsrs")],
        [ReviewEvent(0, T0, "fsrs")],
        [ReviewEvent(6, T0, "sm2")],
        [ReviewEvent(3, T0, "anki")],
        [ReviewEvent(3, datetime(2025, 2, 3, 7, 30), "fsrs")],
    ],
    ids=["fsrs-5", "fsrs-0", "sm2-6", "unknown-algorithm", "naive-datetime"],
)
@pytest.mark.parametrize("algorithm", ["sm2", "fsrs"])
def test_bad_events(algorithm, events):
    with pytest.raises(ValueError):
        replay(algorithm, events)


def test_bad_algorithm():
    with pytest.raises(ValueError):
        replay("leitner", FSRS_LOG)
