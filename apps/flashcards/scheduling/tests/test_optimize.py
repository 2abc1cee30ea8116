"""Parameter optimisation: the wiring with a stand-in optimiser, and (slow) one real run when fsrs's
optimiser extra (torch, pandas, tqdm) is installed."""

import random
import sys
from datetime import UTC, datetime, timedelta

import fsrs
import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from apps.flashcards.scheduling import ReviewEvent, optimize_parameters, optimizer_available, replay, scheduler_for
from apps.flashcards.scheduling import optimize as optimize_module

T0 = datetime(2024, 1, 1, 9, tzinfo=UTC)
FITTED = [
    min(max(p * 1.1, lo), hi)
    for p, lo, hi in zip(DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True)
]


def plain_log(n, algorithm="fsrs"):
    return [
        ReviewEvent(rating=(i % 4) + 1, reviewed_at=T0 + timedelta(days=i), algorithm=algorithm, card_id=i % 7)
        for i in range(n)
    ]


class FakeOptimizer:
    calls = []
    returns = FITTED

    def __init__(self, review_logs):
        self.review_logs = list(review_logs)
        FakeOptimizer.calls.append(self.review_logs)

    def compute_optimal_parameters(self, verbose=False):
        return list(self.returns)


@pytest.fixture
def fake_optimizer(monkeypatch):
    FakeOptimizer.calls = []
    FakeOptimizer.returns = FITTED
    monkeypatch.setattr(optimize_module, "_load_optimizer", lambda: FakeOptimizer)
    return FakeOptimizer


def test_not_enough_reviews_returns_none_without_loading_the_optimizer(monkeypatch):
    def boom():
        raise AssertionError("the optimiser must not be imported for a short log")

    monkeypatch.setattr(optimize_module, "_load_optimizer", boom)
    assert optimize_parameters([]) is None
    assert optimize_parameters(plain_log(399)) is None
    assert optimize_parameters(plain_log(99), min_reviews=100) is None


def test_enough_reviews_go_to_the_optimizer(fake_optimizer):
    events = plain_log(400)
    assert optimize_parameters(events) == FITTED
    (logs,) = fake_optimizer.calls
    assert len(logs) == 400
    assert all(isinstance(log, fsrs.ReviewLog) for log in logs)
    assert [int(log.rating) for log in logs] == [e.rating for e in events]
    assert [log.card_id for log in logs] == [e.card_id for e in events]
    assert all(log.review_datetime.tzinfo is UTC for log in logs)
    assert optimize_parameters(plain_log(100), min_reviews=100) == FITTED


def test_sm2_reviews_are_translated(fake_optimizer):
    events = [ReviewEvent(q, T0 + timedelta(days=i), "sm2", card_id=1) for i, q in enumerate([0, 1, 2, 3, 4, 5])]
    optimize_parameters(events, min_reviews=1)
    assert [int(log.rating) for log in fake_optimizer.calls[0]] == [1, 1, 1, 2, 3, 4]


def test_unsorted_log_is_sorted(fake_optimizer):
    events = plain_log(10)[::-1]
    optimize_parameters(events, min_reviews=1)
    times = [log.review_datetime for log in fake_optimizer.calls[0]]
    assert times == sorted(times)


def test_defaults_back_mean_nothing_learned(fake_optimizer):
    fake_optimizer.returns = list(DEFAULT_PARAMETERS)
    assert optimize_parameters(plain_log(400)) is None


def test_out_of_bounds_result_is_refused(fake_optimizer):
    fake_optimizer.returns = [1000.0] * 21
    with pytest.raises(ValueError):
        optimize_parameters(plain_log(400))


def test_reviews_need_card_ids(fake_optimizer):
    events = plain_log(400)
    events[5] = ReviewEvent(3, T0, "fsrs")
    with pytest.raises(ValueError):
        optimize_parameters(events)


def test_optimizer_absent(monkeypatch):
    monkeypatch.setattr(optimize_module, "_load_optimizer", lambda: None)
    assert optimize_parameters(plain_log(500)) is None
    assert optimizer_available() is False


def test_optimizer_stub_without_its_extra(monkeypatch):
    class Stub:  # what fsrs.optimizer defines when torch/pandas/tqdm are missing
        def __init__(self, *args, **kwargs):
            raise ImportError('Optimizer is not installed.\nInstall it with: pip install "fsrs[optimizer]"')

    monkeypatch.setattr(optimize_module, "_load_optimizer", lambda: Stub)
    assert optimize_parameters(plain_log(500)) is None
    assert optimizer_available() is False


def test_load_optimizer_survives_a_failed_import(monkeypatch):
    monkeypatch.setitem(sys.modules, "fsrs.optimizer", None)  # makes the import raise ImportError
    assert optimize_module._load_optimizer() is None
    assert optimize_parameters(plain_log(500)) is None


def synthetic_log(cards=80, reviews_per_card=8, seed=5):
    """Reviews of cards whose recall follows FSRS with parameters unlike the defaults. 80 cards × 8 reviews
    give 560 reviews on a later day than the previous one, just over the 512 the optimiser needs."""
    rng = random.Random(seed)
    truth = list(DEFAULT_PARAMETERS)
    truth[0:4] = [0.6, 2.0, 4.0, 12.0]
    truth[8] = 1.4
    sched = fsrs.Scheduler(parameters=truth, enable_fuzzing=False, learning_steps=(), relearning_steps=())
    events = []
    for card_id in range(1, cards + 1):
        card = fsrs.Card(card_id=card_id, due=T0 + timedelta(hours=card_id))
        when = card.due
        for i in range(reviews_per_card):
            if i == 0:
                rating = rng.choice([1, 3, 3, 4])
            elif rng.random() < sched.get_card_retrievability(card, when):
                rating = rng.choices([2, 3, 4], [1, 6, 1])[0]
            else:
                rating = 1
            card, _ = sched.review_card(card, fsrs.Rating(rating), when)
            events.append(ReviewEvent(rating, when, "fsrs", card_id=card_id))
            when = card.due + timedelta(hours=rng.randint(0, 30))
    return events


@pytest.mark.slow
def test_real_optimizer_on_a_synthetic_log():
    # requirements/local-ai.txt installs torch and pandas, so the optimizer must be there (checked here, not at
    # collection: it imports torch)
    assert optimizer_available(), "fsrs optimizer extra (torch, pandas, tqdm) not installed"
    events = synthetic_log()
    assert len(events) == 640
    parameters = optimize_parameters(events)  # the package's full 5 epochs: ~10 s on an idle 2-core machine
    assert parameters is not None and len(parameters) == 21
    assert parameters != list(DEFAULT_PARAMETERS)
    assert all(
        lo <= p <= hi for p, lo, hi in zip(parameters, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True)
    )
    # usable as a user's parameters
    state = replay("fsrs", events[:8], parameters=parameters)
    result = scheduler_for("fsrs", parameters=parameters).grade(state, 3, events[7].reviewed_at + timedelta(days=3))
    assert result.interval_days >= 1
