"""Rebuilding a card's state from its review log when the user switches algorithm.

The review log is never rewritten: each event keeps the rating on the scale it was made with, and a
replay translates on the fly (see ``mapping.py`` for the tables and why):

* into FSRS — SM-2 quality 0, 1, 2 → Again, 3 → Hard, 4 → Good, 5 → Easy; replayed through the ``fsrs``
  package's ``Scheduler.reschedule_card``;
* into SM-2 — FSRS rating 1 → 1, 2 → 3, 3 → 4, 4 → 5; replayed through the seed's SM-2 step by step.

Switching back and forth therefore always starts again from the full history.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .fsrs_scheduler import DEFAULT_RETENTION, FSRSScheduler
from .mapping import QUALITY_TO_RATING, RATING_TO_QUALITY, check_algorithm
from .sm2 import SM2Scheduler
from .types import CardState, ReviewEvent

__all__ = ["QUALITY_TO_RATING", "RATING_TO_QUALITY", "replay"]


def replay(
    algorithm: str,
    events: Iterable[ReviewEvent],
    *,
    desired_retention: float = DEFAULT_RETENTION,
    parameters: Sequence[float] | None = None,
    fuzz: bool = False,
) -> CardState:
    """The state a card would have had if every review in ``events`` had been scheduled by ``algorithm``.

    Events may come in any order (they are sorted by ``reviewed_at``); naive datetimes raise ``ValueError``.
    No events gives a new card. ``fuzz`` is off by default so that replaying the same log always gives
    the same state.
    """
    events = list(events)
    if check_algorithm(algorithm) == "sm2":
        return SM2Scheduler().replay(events)
    scheduler = FSRSScheduler(desired_retention=desired_retention, parameters=parameters, fuzz=fuzz)
    return scheduler.replay(events)
