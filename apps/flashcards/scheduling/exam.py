"""Fitting reviews to an exam date.

Days are calendar days in the learner's time zone ``tz`` (default UTC); the exam is taken to start at
local midnight of ``exam_date``, since its hour is not known. Only the due date moves: SM-2 grows the
interval from the stored ``interval_days`` and FSRS from the real elapsed time, so an early review costs
neither algorithm its progress.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from .types import CardState, ensure_utc

DEFAULT_MORNING = time(6, 0)


def _zone(tz: tzinfo | str | None) -> tzinfo:
    if tz is None:
        return UTC
    if isinstance(tz, str):
        return ZoneInfo(tz)
    return tz


def _exam_day(exam_date: date | datetime, tz: tzinfo) -> date:
    if isinstance(exam_date, datetime):
        return exam_date.astimezone(tz).date() if exam_date.tzinfo is not None else exam_date.date()
    if not isinstance(exam_date, date):
        raise ValueError(f"exam_date must be a date, got {exam_date!r}")
    return exam_date


def _local(day: date, at: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def fit_to_exam(
    state: CardState,
    result_due: datetime | None,
    now: datetime,
    exam_date: date | datetime,
    *,
    tz: tzinfo | str | None = UTC,
    morning: time = DEFAULT_MORNING,
) -> CardState:
    """``state`` with its due date pulled in so that the card comes up once more before the exam.

    ``result_due`` is the due date the scheduler proposed (``None``: take ``state.due``). If it falls on
    the exam day or later, the card is made due at the start of the day before the exam; if that moment
    has already passed (we are on the day before), on the exam day at ``morning`` (06:00 local by default).
    A due date that is already before the exam day, an exam that is over, and a review on the exam day
    after ``morning`` leave the due date as proposed. The result is never later than ``result_due``.
    """
    now = ensure_utc(now)
    due = state.due if result_due is None else ensure_utc(result_due, "result_due")
    if due is None:
        return state
    zone = _zone(tz)
    exam_day = _exam_day(exam_date, zone)
    exam_start = _local(exam_day, time(0), zone)
    fitted = due
    if due >= exam_start and now < _local(exam_day + timedelta(days=1), time(0), zone):
        candidate = _local(exam_day - timedelta(days=1), time(0), zone)
        if candidate <= now:
            candidate = _local(exam_day, morning, zone)
        if candidate > now:
            fitted = min(due, candidate)
    return replace(state.normalized(), due=fitted)


def days_until_exam(now: datetime, exam_date: date | datetime, *, tz: tzinfo | str | None = UTC) -> int:
    """Study days left before the exam, today included (the day before the exam → 1, exam day → 0;
    negative once the exam is over)."""
    zone = _zone(tz)
    today = ensure_utc(now).astimezone(zone).date()
    return (_exam_day(exam_date, zone) - today).days


def reviews_per_day(
    due_dates: Iterable[datetime | None],
    now: datetime,
    exam_date: date | datetime,
    *,
    tz: tzinfo | str | None = UTC,
) -> float:
    """Average reviews a day until the exam: cards that still need a review before it — new cards
    (``None``) and cards due before the exam day, overdue ones included — divided by the study days left
    (:func:`days_until_exam`, at least 1, so the exam day itself shows everything still due). Each card
    counts once (learning steps on the same day are not forecast). 0.0 once the exam is over."""
    zone = _zone(tz)
    now = ensure_utc(now)
    days_left = days_until_exam(now, exam_date, tz=zone)
    if days_left < 0:
        return 0.0
    exam_start = _local(_exam_day(exam_date, zone), time(0), zone)
    pending = sum(1 for due in due_dates if due is None or ensure_utc(due, "due") < exam_start)
    return pending / max(days_left, 1)
