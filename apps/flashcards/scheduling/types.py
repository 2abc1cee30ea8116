"""Plain data shared by every scheduler: card state, grading results, review events, the rating scale.

Nothing here knows about Django. The app copies a ``Flashcard`` row into a :class:`CardState`, asks a
scheduler for a :class:`GradeResult`, and writes ``result.state`` back into the same columns.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol, runtime_checkable

Algorithm = Literal["sm2", "fsrs"]
ALGORITHMS: tuple[str, ...] = ("sm2", "fsrs")

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATINGS: tuple[tuple[int, str], ...] = ((AGAIN, "Again"), (HARD, "Hard"), (GOOD, "Good"), (EASY, "Easy"))
RATING_NAMES: dict[int, str] = dict(RATINGS)

# fsrs_state column values (same numbers as fsrs.State and the model's FsrsState choices)
LEARNING, REVIEW, RELEARNING = 1, 2, 3

SM2_DEFAULT_EASE = 2.5
SM2_MIN_EASE = 1.3


def ensure_utc(value: datetime, name: str = "now") -> datetime:
    """Return ``value`` as a UTC datetime; a naive datetime is refused with ``ValueError``.

    Aware datetimes in another zone are converted (they name an unambiguous instant), so the result always
    has ``tzinfo is datetime.UTC``, which the ``fsrs`` package insists on.
    """
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a timezone-aware datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got naive {value!r}")
    return value.astimezone(UTC)


def _optional_utc(value: datetime | None, name: str) -> datetime | None:
    return None if value is None else ensure_utc(value, name)


def check_rating(rating: int) -> int:
    """Validate a button rating 1-4 (Again/Hard/Good/Easy)."""
    if isinstance(rating, bool) or not isinstance(rating, int) or rating not in RATING_NAMES:
        raise ValueError(f"rating must be 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy), got {rating!r}")
    return int(rating)


@dataclass(frozen=True)
class CardState:
    """Algorithm-agnostic scheduling state of one card, mirroring the Flashcard columns.

    ``due=None`` means a new card (due now). SM-2 reads and writes ``repetitions``/``interval_days``/
    ``ease_factor``; FSRS reads and writes ``fsrs_state``/``fsrs_step``/``stability``/``difficulty`` and also
    keeps ``repetitions`` (consecutive passing reviews) and ``interval_days`` (whole days until due) current.
    Each scheduler leaves the other algorithm's own fields as they were.
    """

    due: datetime | None = None
    last_review: datetime | None = None
    repetitions: int = 0
    interval_days: int = 0
    ease_factor: float = SM2_DEFAULT_EASE
    fsrs_state: int = LEARNING
    fsrs_step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None

    @property
    def is_new(self) -> bool:
        return self.due is None

    def normalized(self) -> CardState:
        """The same state with its datetimes checked and converted to UTC (naive ones raise ValueError)."""
        due = _optional_utc(self.due, "state.due")
        last_review = _optional_utc(self.last_review, "state.last_review")
        if due is self.due and last_review is self.last_review:
            return self
        return replace(self, due=due, last_review=last_review)


@dataclass(frozen=True)
class GradeResult:
    """What one review did to a card.

    ``state`` is the card's new state (write it back to the row). ``interval_days`` is the exact time until
    the next review in days, fractions included (10 minutes ≈ 0.0069). ``rating`` is on the algorithm's own
    scale, i.e. what belongs in ``ReviewLog.rating``: the SM-2 quality 0-5 for ``"sm2"``, the FSRS rating
    1-4 for ``"fsrs"``. The FSRS fields are exposed as properties for convenience.
    """

    state: CardState
    interval_days: float
    algorithm: str
    rating: int
    reviewed_at: datetime
    due_before: datetime | None = None

    @property
    def due(self) -> datetime:
        assert self.state.due is not None
        return self.state.due

    @property
    def interval(self) -> timedelta:
        return self.due - self.reviewed_at

    @property
    def fsrs_state(self) -> int:
        return self.state.fsrs_state

    @property
    def fsrs_step(self) -> int | None:
        return self.state.fsrs_step

    @property
    def stability(self) -> float | None:
        return self.state.stability

    @property
    def difficulty(self) -> float | None:
        return self.state.difficulty

    def log_fields(self) -> dict:
        """Keyword arguments for a ``ReviewLog`` row (``reviewed_at`` is set by the model itself)."""
        return {
            "algorithm": self.algorithm,
            "rating": self.rating,
            "due_before": self.due_before,
            "due_after": self.due,
            "interval_days": self.interval_days,
        }


@dataclass(frozen=True)
class ReviewEvent:
    """One past review, as stored in ``ReviewLog``: ``rating`` is on the scale of ``algorithm``
    (SM-2 quality 0-5 or FSRS rating 1-4). ``card_id`` is only needed for parameter optimisation."""

    rating: int
    reviewed_at: datetime
    algorithm: str = "fsrs"
    card_id: int | None = None
    duration_ms: int | None = None


@runtime_checkable
class Scheduler(Protocol):
    """The interface both schedulers implement."""

    algorithm: str

    def ratings(self) -> list[tuple[int, str]]: ...

    def grade(self, state: CardState, rating: int, now: datetime) -> GradeResult: ...

    def preview(self, state: CardState, now: datetime) -> dict[int, timedelta]: ...

    def replay(self, events: list[ReviewEvent]) -> CardState: ...


def ratings() -> list[tuple[int, str]]:
    """The four answer buttons, the same for every algorithm: ``[(1, "Again"), ..., (4, "Easy")]``."""
    return list(RATINGS)
