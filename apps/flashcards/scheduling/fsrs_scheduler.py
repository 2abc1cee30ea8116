"""FSRS through the ``fsrs`` package (6.x), behind the common scheduler interface.

Everything the memory model does — learning steps (1m, 10m), the relearning step (10m), stability,
difficulty, intervals, fuzz — is the package's own ``fsrs.Scheduler.review_card``; this module only
translates between :class:`CardState` and ``fsrs.Card``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

import fsrs

from .mapping import fsrs_rating_of, sorted_events
from .types import (
    AGAIN,
    LEARNING,
    RELEARNING,
    REVIEW,
    CardState,
    GradeResult,
    ReviewEvent,
    check_rating,
    ensure_utc,
    ratings,
)

DEFAULT_RETENTION = 0.90
MIN_RETENTION = 0.70
MAX_RETENTION = 0.97
DEFAULT_PARAMETERS: tuple[float, ...] = tuple(fsrs.Scheduler().parameters)

# fsrs.Card wants an id, and makes one from the clock (sleeping 1 ms) when given none; ours are throwaway.
_CARD_ID = 0


def check_retention(desired_retention: float) -> float:
    """Accept a desired retention in [0.70, 0.97]; anything else raises ``ValueError``."""
    if isinstance(desired_retention, bool) or not isinstance(desired_retention, int | float):
        raise ValueError(f"desired retention must be a number, got {desired_retention!r}")
    value = float(desired_retention)
    if math.isnan(value) or not MIN_RETENTION <= value <= MAX_RETENTION:
        raise ValueError(f"desired retention must be between {MIN_RETENTION} and {MAX_RETENTION}, got {value!r}")
    return value


def to_fsrs_card(state: CardState, now: datetime) -> fsrs.Card:
    """The ``fsrs.Card`` for a state. A card without stability/difficulty (new, or only ever reviewed
    with SM-2 and not replayed) is treated as a new Learning card at step 0."""
    state = state.normalized()
    if state.stability is None or state.difficulty is None:
        return fsrs.Card(card_id=_CARD_ID, state=fsrs.State.Learning, step=0, due=state.due or now)
    if state.fsrs_state not in (LEARNING, REVIEW, RELEARNING):
        raise ValueError(f"fsrs_state must be 1, 2 or 3, got {state.fsrs_state!r}")
    step = None if state.fsrs_state == REVIEW else (state.fsrs_step or 0)
    return fsrs.Card(
        card_id=_CARD_ID,
        state=fsrs.State(state.fsrs_state),
        step=step,
        stability=float(state.stability),
        difficulty=float(state.difficulty),
        due=state.due or now,
        last_review=state.last_review,
    )


def _apply_card(state: CardState, card: fsrs.Card, *, passed: bool | None) -> CardState:
    assert card.last_review is not None
    repetitions = state.repetitions
    if passed is not None:
        repetitions = repetitions + 1 if passed else 0
    return replace(
        state,
        due=card.due,
        last_review=card.last_review,
        repetitions=repetitions,
        interval_days=max(0, (card.due - card.last_review).days),
        fsrs_state=int(card.state),
        fsrs_step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
    )


class FSRSScheduler:
    """FSRS for one user's settings.

    ``desired_retention`` 0.70-0.97 (default 0.90); ``parameters`` the 21 FSRS weights (default: the
    package's; out-of-range weights raise ``ValueError``); ``fuzz`` turns on the package's interval fuzz
    (``enable_fuzzing``) for Review-state intervals of 3 days and more. Fuzz draws from the ``random``
    module, so pass ``fuzz=False`` (or seed ``random``) where results must be reproducible.

    :meth:`preview` never fuzzes, so button labels stay stable; the due date actually given by
    :meth:`grade` may differ from the label by the fuzz (a day or two on long intervals).
    """

    algorithm = "fsrs"

    def __init__(
        self,
        *,
        desired_retention: float = DEFAULT_RETENTION,
        parameters: Sequence[float] | None = None,
        fuzz: bool = True,
    ) -> None:
        self.desired_retention = check_retention(desired_retention)
        weights = DEFAULT_PARAMETERS if parameters is None else tuple(float(p) for p in parameters)
        self.fuzz = bool(fuzz)
        self.fsrs = fsrs.Scheduler(
            parameters=weights, desired_retention=self.desired_retention, enable_fuzzing=self.fuzz
        )
        self._unfuzzed = (
            fsrs.Scheduler(parameters=weights, desired_retention=self.desired_retention, enable_fuzzing=False)
            if self.fuzz
            else self.fsrs
        )

    @property
    def parameters(self) -> tuple[float, ...]:
        return tuple(self.fsrs.parameters)

    def ratings(self) -> list[tuple[int, str]]:
        return ratings()

    def grade(self, state: CardState, rating: int, now: datetime) -> GradeResult:
        rating = check_rating(rating)
        now = ensure_utc(now)
        state = state.normalized()
        card, _log = self.fsrs.review_card(to_fsrs_card(state, now), fsrs.Rating(rating), review_datetime=now)
        new_state = _apply_card(state, card, passed=rating != AGAIN)
        return GradeResult(
            state=new_state,
            interval_days=(card.due - now) / timedelta(days=1),
            algorithm=self.algorithm,
            rating=rating,
            reviewed_at=now,
            due_before=state.due,
        )

    def preview(self, state: CardState, now: datetime) -> dict[int, timedelta]:
        now = ensure_utc(now)
        card = to_fsrs_card(state, now)
        return {
            rating: self._unfuzzed.review_card(card, fsrs.Rating(rating), review_datetime=now)[0].due - now
            for rating in (1, 2, 3, 4)
        }

    def retrievability(self, state: CardState, now: datetime) -> float:
        """Predicted probability of recall at ``now`` (0 for a card never reviewed)."""
        now = ensure_utc(now)
        return float(self.fsrs.get_card_retrievability(to_fsrs_card(state, now), current_datetime=now))

    def replay(self, events: list[ReviewEvent]) -> CardState:
        """Rebuild a card's FSRS state from its whole review log with ``fsrs.Scheduler.reschedule_card``
        (SM-2 qualities translated by :data:`..mapping.QUALITY_TO_RATING`). ``repetitions`` becomes the run
        of passing reviews at the end of the log; ``ease_factor`` keeps its default."""
        ordered = sorted_events(events)
        if not ordered:
            return CardState()
        ratings_ = [fsrs_rating_of(event) for event in ordered]
        logs = [
            fsrs.ReviewLog(
                card_id=_CARD_ID,
                rating=fsrs.Rating(rating),
                review_datetime=event.reviewed_at,
                review_duration=event.duration_ms,
            )
            for rating, event in zip(ratings_, ordered, strict=True)
        ]
        first = ordered[0].reviewed_at
        card = self.fsrs.reschedule_card(fsrs.Card(card_id=_CARD_ID, due=first), logs)
        streak = 0
        for rating in reversed(ratings_):
            if rating == AGAIN:
                break
            streak += 1
        return _apply_card(CardState(repetitions=streak), card, passed=None)
