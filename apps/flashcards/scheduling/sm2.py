"""SM-2, exactly as the seed's ``update_flashcard`` (seeds/action-flows.md §7).

The seed, step by step, for quality ``q`` in 0-5:

* ``q >= 3`` (correct): interval = 1 on the first repetition, 6 on the second, then
  ``round(interval * ease_factor)`` with the ease *before* this review's update; repetitions += 1.
* ``q < 3`` (incorrect): repetitions = 0, interval = 1.
* Then, in both cases, ``ease_factor += 0.1 - (5 - q) * (0.08 + (5 - q) * 0.02)``, floored at 1.3.
* Next review = now + interval days.

``round`` is Python's (half to even: 13.5 → 14, 16.5 → 16), as in the seed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from .mapping import RATING_TO_QUALITY, check_quality, sm2_quality_of, sorted_events
from .types import SM2_MIN_EASE, CardState, GradeResult, ReviewEvent, check_rating, ensure_utc, ratings

__all__ = ["RATING_TO_QUALITY", "SM2Scheduler", "sm2_step"]


def sm2_step(quality: int, repetitions: int, interval: int, ease_factor: float) -> tuple[int, int, float]:
    """One application of the seed's SM-2 update: returns ``(repetitions, interval, ease_factor)``."""
    quality = check_quality(quality)
    if quality >= 3:
        if repetitions == 0:
            interval = 1
        elif repetitions == 1:
            interval = 6
        else:
            interval = round(interval * ease_factor)
        repetitions += 1
    else:
        repetitions = 0
        interval = 1

    ease_factor = ease_factor + (0.1 - (5 - quality) * (0.08 + (5 - quality) * 0.02))
    if ease_factor < SM2_MIN_EASE:
        ease_factor = SM2_MIN_EASE
    return repetitions, interval, ease_factor


class SM2Scheduler:
    """SM-2 behind the common scheduler interface.

    The UI shows the same four buttons as for FSRS; :meth:`grade` maps them to qualities with
    :data:`RATING_TO_QUALITY`: Again→1, Hard→3, Good→4, Easy→5. Again must be below 3 (the only way the
    seed resets a card) and 1 rather than 0 because the learner did read the answer; Hard must still pass,
    and 3 is the lowest passing quality; Good→4 keeps the ease; Easy→5 raises it (see ``mapping.py``).
    :meth:`grade_quality` :meth:`grade_quality`
    takes a raw quality 0-5. Only ``due``, ``last_review``, ``repetitions``, ``interval_days`` and
    ``ease_factor`` change; the FSRS fields are carried through untouched.
    """

    algorithm = "sm2"

    def ratings(self) -> list[tuple[int, str]]:
        return ratings()

    def grade(self, state: CardState, rating: int, now: datetime) -> GradeResult:
        return self.grade_quality(state, RATING_TO_QUALITY[check_rating(rating)], now)

    def grade_quality(self, state: CardState, quality: int, now: datetime) -> GradeResult:
        now = ensure_utc(now)
        state = state.normalized()
        repetitions, interval, ease = sm2_step(quality, state.repetitions, state.interval_days, state.ease_factor)
        due = now + timedelta(days=interval)
        new_state = replace(
            state, due=due, last_review=now, repetitions=repetitions, interval_days=interval, ease_factor=ease
        )
        return GradeResult(
            state=new_state,
            interval_days=float(interval),
            algorithm=self.algorithm,
            rating=quality,
            reviewed_at=now,
            due_before=state.due,
        )

    def preview(self, state: CardState, now: datetime) -> dict[int, timedelta]:
        ensure_utc(now)
        state = state.normalized()
        return {
            rating: timedelta(days=sm2_step(quality, state.repetitions, state.interval_days, state.ease_factor)[1])
            for rating, quality in RATING_TO_QUALITY.items()
        }

    def replay(self, events: list[ReviewEvent]) -> CardState:
        """Rebuild a card's SM-2 state from its whole review log, oldest first, starting from a new card.
        FSRS ratings are translated with :data:`RATING_TO_QUALITY`."""
        state = CardState()
        for event in sorted_events(events):
            state = self.grade_quality(state, sm2_quality_of(event), event.reviewed_at).state
        return state
