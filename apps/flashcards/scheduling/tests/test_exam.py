"""Exam dates, with a frozen clock (``now`` is passed in)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from apps.flashcards.scheduling import CardState, days_until_exam, fit_to_exam, reviews_per_day, scheduler_for

EXAM = date(2025, 6, 10)
BERLIN = ZoneInfo("Europe/Berlin")  # UTC+2 in June


def utc(day, hour=0, minute=0):
    return datetime(2025, 6, day, hour, minute, tzinfo=UTC)


def fitted(due, now, **kwargs):
    return fit_to_exam(CardState(due=due), due, now, EXAM, **kwargs).due


def test_due_after_the_exam_moves_to_the_day_before():
    assert fitted(utc(15, 10), utc(1, 10)) == utc(9)
    assert fitted(utc(10, 3), utc(1, 10)) == utc(9)  # on the exam day itself is too late
    assert fitted(utc(10), utc(1, 10)) == utc(9)


def test_due_before_the_exam_is_left_alone():
    assert fitted(utc(8, 10), utc(1, 10)) == utc(8, 10)
    assert fitted(utc(9, 23, 59), utc(1, 10)) == utc(9, 23, 59)
    assert fitted(utc(1, 10, 10), utc(1, 10)) == utc(1, 10, 10)  # a learning step


def test_on_the_day_before_it_moves_to_exam_morning():
    assert fitted(utc(13, 10), utc(9, 14)) == utc(10, 6)
    assert fitted(utc(13, 10), utc(9, 0)) == utc(10, 6)  # midnight of the day before is "now", not ahead
    assert fitted(utc(13, 10), utc(9, 14), morning=time(7, 30)) == utc(10, 7, 30)


def test_on_exam_day():
    assert fitted(utc(14), utc(10, 2)) == utc(10, 6)  # before the morning: still one more look
    assert fitted(utc(14), utc(10, 8)) == utc(14)  # after it: nothing to gain, no immediate repeat
    assert fitted(utc(10, 2, 10), utc(10, 2)) == utc(10, 2, 10)  # never later than proposed


def test_after_the_exam_nothing_changes():
    assert fitted(utc(20), utc(11, 9)) == utc(20)


def test_time_zone():
    # day before the exam in Berlin starts at 2025-06-09 00:00+02:00 = 2025-06-08 22:00 UTC
    assert fitted(utc(15), utc(1, 10), tz=BERLIN) == utc(8, 22)
    assert fitted(utc(15), utc(1, 10), tz="Europe/Berlin") == utc(8, 22)
    # 2025-06-08 23:00 UTC is already the day before in Berlin → exam morning 06:00+02:00 = 04:00 UTC
    assert fitted(utc(15), utc(8, 23), tz=BERLIN) == utc(10, 4)
    assert fitted(utc(15), utc(8, 23)) == utc(9)  # but not in UTC
    # an aware datetime as exam date is read in the zone
    assert fit_to_exam(CardState(), utc(15), utc(1), datetime(2025, 6, 9, 23, 0, tzinfo=UTC), tz=BERLIN).due == utc(
        8, 22
    )


def test_state_and_result_due():
    state = CardState(due=utc(20), repetitions=3, interval_days=19)
    out = fit_to_exam(state, None, utc(1, 10), EXAM)  # None: take the state's due
    assert out == CardState(due=utc(9), repetitions=3, interval_days=19)  # only the due date moves
    assert fit_to_exam(CardState(), None, utc(1), EXAM) == CardState()  # a new card stays new
    with pytest.raises(ValueError):
        fit_to_exam(state, None, datetime(2025, 6, 1, 10), EXAM)
    with pytest.raises(ValueError):
        fit_to_exam(state, datetime(2025, 6, 20), utc(1), EXAM)


@pytest.mark.parametrize("algorithm", ["sm2", "fsrs"])
def test_with_a_real_grade(algorithm):
    sched = scheduler_for(algorithm, fuzz=False)
    now = utc(1, 10)
    state = CardState(
        due=now, last_review=now - timedelta(days=30), repetitions=3, interval_days=30,
        fsrs_state=2, fsrs_step=None, stability=40.0, difficulty=5.0,
    )  # fmt: skip
    result = sched.grade(state, 3, now)
    assert result.due > utc(10)
    out = fit_to_exam(result.state, result.due, now, EXAM)
    assert out.due == utc(9)
    assert out.stability == result.stability and out.interval_days == result.state.interval_days


def test_days_until_exam():
    assert days_until_exam(utc(1, 10), EXAM) == 9
    assert days_until_exam(utc(9, 23), EXAM) == 1
    assert days_until_exam(utc(10, 1), EXAM) == 0
    assert days_until_exam(utc(11), EXAM) == -1
    assert days_until_exam(utc(8, 23), EXAM, tz=BERLIN) == 1


def test_reviews_per_day():
    now = utc(1, 10)
    dues = [None, None, utc(1, 8), utc(5), utc(9, 23), utc(10, 9), utc(20)]
    # new ×2, overdue, 5th, 9th count; due on exam day or later do not: 5 cards over 9 days
    assert reviews_per_day(dues, now, EXAM) == pytest.approx(5 / 9)
    assert reviews_per_day(iter(dues), now, EXAM) == pytest.approx(5 / 9)
    assert reviews_per_day([], now, EXAM) == 0.0
    assert reviews_per_day(dues, utc(9, 12), EXAM) == 5.0  # one day left
    assert reviews_per_day(dues, utc(10, 7), EXAM) == 5.0  # exam day: whatever is still due
    assert reviews_per_day(dues, utc(11), EXAM) == 0.0  # exam over
    # Berlin: exam starts 2025-06-09 22:00 UTC, so the 23:00 UTC card is on exam day there
    assert reviews_per_day(dues, now, EXAM, tz=BERLIN) == pytest.approx(4 / 9)
    with pytest.raises(ValueError):
        reviews_per_day([datetime(2025, 6, 3)], now, EXAM)
