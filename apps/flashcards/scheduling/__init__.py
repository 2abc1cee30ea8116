"""Spaced-repetition scheduling for flashcards, free of Django.

The app passes plain data in and gets plain data back::

    scheduler = scheduler_for(user.algorithm, desired_retention=user.retention, parameters=user.fsrs_weights)
    result = scheduler.grade(state, rating, now)          # rating 1-4: Again/Hard/Good/Easy
    result = fit_to_exam(result.state, result.due, now, subject.exam_date, tz=user.tz)  # optional
    labels = preview_labels(scheduler, state, now)          # [(3, "Good · 4d"), ...]
    state = replay("fsrs", events)                          # after switching algorithm

Modules: ``types`` (CardState, GradeResult, ReviewEvent), ``sm2`` (the seed's SM-2), ``fsrs_scheduler``
(the ``fsrs`` package), ``mapping`` (rating translations), ``replay``, ``exam``, ``labels``, ``optimize``.
"""

from __future__ import annotations

from collections.abc import Sequence

from .exam import days_until_exam, fit_to_exam, reviews_per_day
from .fsrs_scheduler import DEFAULT_RETENTION, MAX_RETENTION, MIN_RETENTION, FSRSScheduler, check_retention
from .labels import format_interval, preview_labels
from .mapping import QUALITY_TO_RATING, RATING_TO_QUALITY, check_algorithm
from .optimize import DEFAULT_MIN_REVIEWS, optimize_parameters, optimizer_available
from .replay import replay
from .sm2 import SM2Scheduler, sm2_step
from .types import (
    AGAIN,
    ALGORITHMS,
    EASY,
    GOOD,
    HARD,
    LEARNING,
    RATINGS,
    RELEARNING,
    REVIEW,
    Algorithm,
    CardState,
    GradeResult,
    ReviewEvent,
    Scheduler,
    ratings,
)


def scheduler_for(
    algorithm: str,
    *,
    desired_retention: float = DEFAULT_RETENTION,
    parameters: Sequence[float] | None = None,
    fuzz: bool = True,
) -> SM2Scheduler | FSRSScheduler:
    """The scheduler for ``"sm2"`` or ``"fsrs"``. ``desired_retention`` (0.70-0.97) is checked for both,
    so a bad setting is caught whichever algorithm is active; ``parameters`` and ``fuzz`` concern FSRS only."""
    check_retention(desired_retention)
    if check_algorithm(algorithm) == "sm2":
        return SM2Scheduler()
    return FSRSScheduler(desired_retention=desired_retention, parameters=parameters, fuzz=fuzz)


__all__ = [
    "AGAIN",
    "ALGORITHMS",
    "DEFAULT_MIN_REVIEWS",
    "DEFAULT_RETENTION",
    "EASY",
    "GOOD",
    "HARD",
    "LEARNING",
    "MAX_RETENTION",
    "MIN_RETENTION",
    "QUALITY_TO_RATING",
    "RATINGS",
    "RATING_TO_QUALITY",
    "RELEARNING",
    "REVIEW",
    "Algorithm",
    "CardState",
    "FSRSScheduler",
    "GradeResult",
    "ReviewEvent",
    "SM2Scheduler",
    "Scheduler",
    "check_retention",
    "days_until_exam",
    "fit_to_exam",
    "format_interval",
    "optimize_parameters",
    "optimizer_available",
    "preview_labels",
    "ratings",
    "replay",
    "reviews_per_day",
    "scheduler_for",
    "sm2_step",
]
