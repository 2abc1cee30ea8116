"""Translating ratings between the two scales, and ordering review events.

* Four buttons / FSRS ratings → SM-2 quality (:data:`RATING_TO_QUALITY`): Again→1, Hard→3, Good→4, Easy→5.
  Used both when an SM-2 user presses a button and when an FSRS review is replayed into SM-2.

  - Again → 1: a lapse must be a quality below 3 (the seed resets the card only for q < 3). 1 ("wrong, but
    recognised once the answer was shown") rather than 0 ("total blackout"): the learner did read the
    answer, and 0 would cut the ease by 0.8 on every miss where 1 cuts it by 0.54.
  - Hard → 3: Hard is a pass in FSRS/Anki, and 3 is SM-2's lowest passing quality ("correct with serious
    difficulty", ease -0.14). 2 is a failure in SM-2 and would reset the card.
  - Good → 4: "correct after hesitation"; leaves the ease unchanged (0.1 - 1 * (0.08 + 0.02) = 0).
  - Easy → 5: "perfect recall", ease +0.1.

* SM-2 quality → FSRS rating (:data:`QUALITY_TO_RATING`): 0, 1, 2 → Again; 3 → Hard; 4 → Good; 5 → Easy.
  Quality 2 ("incorrect, though the answer seemed easy once shown") goes to Again, not Hard: SM-2 itself
  treats every q < 3 as a failed recall (repetitions reset), and FSRS's Hard means a *successful* recall —
  mapping 2 to Hard would turn forgotten cards into remembered ones in the FSRS memory model (and in
  the optimiser's training data, where only Again counts as a lapse). With this table an SM-2 review made
  through the buttons (qualities 1, 3, 4, 5) round-trips to the same FSRS rating.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from .types import AGAIN, ALGORITHMS, EASY, GOOD, HARD, ReviewEvent, check_rating, ensure_utc

RATING_TO_QUALITY: dict[int, int] = {AGAIN: 1, HARD: 3, GOOD: 4, EASY: 5}
QUALITY_TO_RATING: dict[int, int] = {0: AGAIN, 1: AGAIN, 2: AGAIN, 3: HARD, 4: GOOD, 5: EASY}


def check_quality(quality: int) -> int:
    """Validate an SM-2 quality 0-5."""
    if isinstance(quality, bool) or not isinstance(quality, int) or not 0 <= quality <= 5:
        raise ValueError(f"SM-2 quality must be an integer 0-5, got {quality!r}")
    return int(quality)


def check_algorithm(algorithm: str) -> str:
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {', '.join(ALGORITHMS)}, got {algorithm!r}")
    return algorithm


def fsrs_rating_of(event: ReviewEvent) -> int:
    """The event's rating on the FSRS scale 1-4, whatever algorithm it was made under."""
    if check_algorithm(event.algorithm) == "sm2":
        return QUALITY_TO_RATING[check_quality(event.rating)]
    return check_rating(event.rating)


def sm2_quality_of(event: ReviewEvent) -> int:
    """The event's rating on the SM-2 quality scale 0-5, whatever algorithm it was made under."""
    if check_algorithm(event.algorithm) == "fsrs":
        return RATING_TO_QUALITY[check_rating(event.rating)]
    return check_quality(event.rating)


def sorted_events(events: Iterable[ReviewEvent]) -> list[ReviewEvent]:
    """Events oldest first (stable for equal times), with ``reviewed_at`` checked and converted to UTC."""
    checked = []
    for event in events:
        checked.append(replace(event, reviewed_at=ensure_utc(event.reviewed_at, "reviewed_at")))
    return sorted(checked, key=lambda e: e.reviewed_at)
