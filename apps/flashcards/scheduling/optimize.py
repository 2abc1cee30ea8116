"""Fitting a user's own FSRS parameters from their review log, when the optional optimiser is installed.

``fsrs.Optimizer`` needs the package's ``optimizer`` extra (torch, pandas, tqdm). It is imported only when
:func:`optimize_parameters` actually has enough reviews to work on; without it the function returns
``None`` and callers keep the parameters they have.
"""

from __future__ import annotations

from collections.abc import Iterable

from .mapping import fsrs_rating_of, sorted_events
from .types import ReviewEvent

DEFAULT_MIN_REVIEWS = 400


def _load_optimizer():
    """The ``fsrs.Optimizer`` class, or ``None`` when it cannot be imported."""
    try:
        from fsrs.optimizer import Optimizer
    except ImportError:
        return None
    return Optimizer


def optimizer_available() -> bool:
    """Whether the optimiser and its dependencies import here (imports torch: not for hot paths)."""
    optimizer_class = _load_optimizer()
    if optimizer_class is None:
        return False
    try:
        optimizer_class([])
    except ImportError:  # fsrs installs a stub that raises ImportError when its extra is missing
        return False
    return True


def optimize_parameters(
    review_logs: Iterable[ReviewEvent],
    *,
    min_reviews: int = DEFAULT_MIN_REVIEWS,
    verbose: bool = False,
) -> list[float] | None:
    """Optimised FSRS parameters (21 floats) for one user's reviews, or ``None``.

    ``review_logs`` are all the user's reviews, each with its ``card_id``; SM-2 reviews are translated to
    FSRS ratings as in :mod:`.replay`. ``None`` when there are fewer than ``min_reviews`` reviews, when
    the optimiser is not installed, or when it found too little to learn from and fell back to the
    package defaults (it needs 512 reviews on a later day than the card's previous review).
    """
    from fsrs.scheduler import DEFAULT_PARAMETERS, Scheduler

    events = sorted_events(review_logs)
    if len(events) < min_reviews:
        return None
    for event in events:
        if event.card_id is None:
            raise ValueError("every review needs a card_id for optimisation")

    optimizer_class = _load_optimizer()
    if optimizer_class is None:
        return None

    from fsrs import Rating, ReviewLog

    logs = [
        ReviewLog(
            card_id=int(event.card_id),
            rating=Rating(fsrs_rating_of(event)),
            review_datetime=event.reviewed_at,
            review_duration=event.duration_ms,
        )
        for event in events
    ]
    try:
        optimizer = optimizer_class(logs)
    except ImportError:
        return None
    parameters = optimizer.compute_optimal_parameters(verbose=verbose)
    if parameters is None:
        return None
    parameters = [float(p) for p in parameters]
    if parameters == [float(p) for p in DEFAULT_PARAMETERS]:
        return None
    Scheduler(parameters=parameters)  # raises ValueError if anything came back out of bounds
    return parameters
