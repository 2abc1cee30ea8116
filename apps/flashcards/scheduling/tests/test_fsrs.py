"""The FSRS wrapper gives exactly what fsrs.Scheduler gives, and checks its inputs."""

import math
import random
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import fsrs
import pytest

from apps.flashcards.scheduling import CardState, FSRSScheduler, GradeResult, Scheduler, ratings, scheduler_for
from apps.flashcards.scheduling.fsrs_scheduler import DEFAULT_PARAMETERS

T0 = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)

# (rating, minutes after the previous review): learning steps the same day, lapses, a relearning step,
# early and late reviews.
SEQUENCE = [
    (3, 0),
    (3, 10),
    (3, 60 * 24 * 2),
    (4, 60 * 24 * 9),
    (1, 60 * 24 * 30),
    (2, 10),
    (3, 15),
    (3, 60 * 24 * 3),
    (2, 60 * 24 * 1),
    (1, 60 * 24 * 20),
    (1, 10),
    (3, 10),
    (4, 60 * 24 * 5),
    (3, 60 * 24 * 60),
]

CUSTOM_PARAMETERS = [
    0.4,
    1.1,
    3.0,
    12.0,
    6.0,
    0.9,
    2.5,
    0.01,
    1.6,
    0.15,
    0.9,
    1.6,
    0.08,
    0.3,
    1.4,
    0.5,
    2.2,
    0.6,
    0.1,
    0.07,
    0.2,
]


def times():
    t = T0
    for rating, minutes in SEQUENCE:
        t += timedelta(minutes=minutes)
        yield rating, t


def package_run(**kwargs):
    scheduler = fsrs.Scheduler(enable_fuzzing=False, **kwargs)
    card = fsrs.Card(card_id=1, due=T0)
    out = []
    for rating, when in times():
        card, _ = scheduler.review_card(card, fsrs.Rating(rating), review_datetime=when)
        out.append(card)
    return out


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"desired_retention": 0.8},
        {"desired_retention": 0.97},
        {"desired_retention": 0.85, "parameters": CUSTOM_PARAMETERS},
    ],
    ids=["defaults", "retention-0.80", "retention-0.97", "custom-parameters"],
)
def test_parity_with_fsrs_scheduler(settings):
    expected = package_run(**settings)
    ours = scheduler_for("fsrs", fuzz=False, **settings)
    state = CardState()
    for (rating, when), card in zip(times(), expected, strict=True):
        result = ours.grade(state, rating, when)
        state = result.state
        assert state.due == card.due
        assert state.last_review == card.last_review == when
        assert state.stability == card.stability
        assert state.difficulty == card.difficulty
        assert state.fsrs_state == int(card.state)
        assert state.fsrs_step == card.step
        assert result.interval_days == pytest.approx((card.due - when).total_seconds() / 86400)
    # the sequence went through every state
    assert {int(c.state) for c in expected} == {1, 2, 3}


def test_parity_values_at_defaults():
    """A few literal values, so a change in the package's defaults shows up here."""
    sched = scheduler_for("fsrs", fuzz=False)
    first = sched.grade(CardState(), 3, T0)
    assert first.state.due == T0 + timedelta(minutes=10)
    assert first.stability == pytest.approx(2.3065)
    assert (first.fsrs_state, first.fsrs_step) == (1, 1)
    second = sched.grade(first.state, 3, T0 + timedelta(minutes=10))
    assert (second.fsrs_state, second.fsrs_step) == (2, None)
    assert second.interval_days == 2.0


def test_repetitions_and_interval_days_follow_fsrs():
    sched = scheduler_for("fsrs", fuzz=False)
    state = CardState(ease_factor=2.1)
    for rating, when in times():
        before = state
        state = sched.grade(state, rating, when).state
        assert state.repetitions == (0 if rating == 1 else before.repetitions + 1)
        assert state.interval_days == (state.due - when).days
        assert state.ease_factor == 2.1  # the SM-2 field is untouched


def test_new_cards_and_sm2_only_cards_start_learning():
    sched = scheduler_for("fsrs", fuzz=False)
    new = sched.grade(CardState(), 3, T0)
    # a card reviewed only with SM-2 (no stability/difficulty yet) is a new FSRS card
    sm2_only = CardState(due=T0, last_review=T0 - timedelta(days=6), repetitions=2, interval_days=6, fsrs_state=2)
    result = sched.grade(sm2_only, 3, T0)
    assert (result.state.due, result.stability, result.difficulty, result.fsrs_state, result.fsrs_step) == (
        new.state.due,
        new.stability,
        new.difficulty,
        new.fsrs_state,
        new.fsrs_step,
    )


def test_preview_matches_grading_without_fuzz():
    sched = scheduler_for("fsrs", fuzz=False)
    state = CardState()
    for rating, when in times():
        preview = sched.preview(state, when)
        assert set(preview) == {1, 2, 3, 4}
        for r, interval in preview.items():
            assert sched.grade(state, r, when).interval == interval
        state = sched.grade(state, rating, when).state


def test_preview_of_a_new_card_uses_package_learning_steps():
    preview = scheduler_for("fsrs").preview(CardState(), T0)
    assert preview[1] == timedelta(minutes=1)
    assert preview[2] == timedelta(minutes=5, seconds=30)  # (1m + 10m) / 2
    assert preview[3] == timedelta(minutes=10)
    assert preview[4] == timedelta(days=8)


def review_card(stability=40.0):
    return CardState(
        due=T0, last_review=T0 - timedelta(days=40), fsrs_state=2, fsrs_step=None, stability=stability, difficulty=5.0
    )


def test_fuzz_is_on_by_default_and_reproducible_with_a_seed():
    sched = scheduler_for("fsrs")
    assert sched.fuzz is True and sched.fsrs.enable_fuzzing is True
    unfuzzed = scheduler_for("fsrs", fuzz=False).grade(review_card(), 3, T0).interval_days
    seen = set()
    for seed in range(40):
        random.seed(seed)
        first = sched.grade(review_card(), 3, T0)
        random.seed(seed)
        again = sched.grade(review_card(), 3, T0)
        assert first == again
        assert first.interval_days == int(first.interval_days)
        assert abs(first.interval_days - unfuzzed) <= 0.1 * unfuzzed + 3
        seen.add(first.interval_days)
    assert len(seen) > 1  # fuzz moved some of them
    # stability and difficulty are not fuzzed
    assert first.stability == scheduler_for("fsrs", fuzz=False).grade(review_card(), 3, T0).stability


def test_preview_is_not_fuzzed():
    sched = scheduler_for("fsrs", fuzz=True)
    previews = {sched.preview(review_card(), T0)[3] for _ in range(30)}
    assert len(previews) == 1


@pytest.mark.parametrize("retention", [0.7, 0.70, 0.75, 0.9, 0.97])
def test_allowed_retention(retention):
    assert scheduler_for("fsrs", desired_retention=retention).fsrs.desired_retention == retention


@pytest.mark.parametrize("retention", [0.69, 0.971, 0.98, 1.0, 0.0, -0.9, 90, math.nan, None, "0.9", True])
def test_rejected_retention(retention):
    with pytest.raises(ValueError):
        scheduler_for("fsrs", desired_retention=retention)
    with pytest.raises(ValueError):
        FSRSScheduler(desired_retention=retention)


def test_retention_changes_intervals():
    low = scheduler_for("fsrs", desired_retention=0.7, fuzz=False).grade(review_card(), 3, T0)
    high = scheduler_for("fsrs", desired_retention=0.97, fuzz=False).grade(review_card(), 3, T0)
    assert low.interval_days > high.interval_days


def test_custom_parameters():
    sched = scheduler_for("fsrs", parameters=CUSTOM_PARAMETERS)
    assert sched.parameters == tuple(CUSTOM_PARAMETERS)
    assert scheduler_for("fsrs").parameters == DEFAULT_PARAMETERS == tuple(fsrs.Scheduler().parameters)
    with pytest.raises(ValueError):
        scheduler_for("fsrs", parameters=CUSTOM_PARAMETERS[:19])
    with pytest.raises(ValueError):
        scheduler_for("fsrs", parameters=[500.0] + CUSTOM_PARAMETERS[1:])


def test_naive_datetimes_are_refused():
    sched = scheduler_for("fsrs")
    with pytest.raises(ValueError):
        sched.grade(CardState(), 3, datetime(2025, 1, 6, 8, 0))
    with pytest.raises(ValueError):
        sched.preview(CardState(), datetime(2025, 1, 6, 8, 0))
    with pytest.raises(ValueError):
        sched.grade(CardState(due=datetime(2025, 1, 6), stability=3.0, difficulty=5.0), 3, T0)


def test_aware_datetimes_in_other_zones_are_converted_to_utc():
    sched = scheduler_for("fsrs", fuzz=False)
    berlin = T0.astimezone(ZoneInfo("Europe/Berlin"))
    plus5 = T0.astimezone(timezone(timedelta(hours=5)))
    expected = sched.grade(review_card(), 3, T0)
    for now in (berlin, plus5):
        result = sched.grade(review_card(), 3, now)
        assert result == expected
        assert result.state.due.tzinfo is UTC


@pytest.mark.parametrize("rating", [0, 5, True, "3", None, 3.0])
def test_bad_ratings(rating):
    with pytest.raises(ValueError):
        scheduler_for("fsrs").grade(CardState(), rating, T0)


def test_interface():
    for algorithm in ("sm2", "fsrs"):
        sched = scheduler_for(algorithm)
        assert isinstance(sched, Scheduler)
        assert sched.algorithm == algorithm
        assert sched.ratings() == ratings() == [(1, "Again"), (2, "Hard"), (3, "Good"), (4, "Easy")]
        result = sched.grade(CardState(), 3, T0)
        assert isinstance(result, GradeResult)
        assert result.due > T0 and result.state.last_review == T0
    with pytest.raises(ValueError):
        scheduler_for("anki")
    with pytest.raises(ValueError):
        scheduler_for("sm2", desired_retention=0.5)


def test_retrievability():
    sched = scheduler_for("fsrs")
    assert sched.retrievability(CardState(), T0) == 0
    assert 0.0 < sched.retrievability(review_card(), T0) < 1.0
