from datetime import UTC, datetime, timedelta

import pytest

from apps.flashcards.scheduling import CardState, format_interval, preview_labels, scheduler_for

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("interval", "label"),
    [
        (timedelta(0), "<1m"),
        (timedelta(seconds=20), "<1m"),
        (timedelta(minutes=1), "1m"),
        (timedelta(minutes=5, seconds=30), "6m"),
        (timedelta(minutes=10), "10m"),
        (timedelta(minutes=59), "59m"),
        (timedelta(minutes=59, seconds=40), "1h"),
        (timedelta(hours=1), "1h"),
        (timedelta(hours=23), "23h"),
        (timedelta(hours=23, minutes=50), "1d"),
        (timedelta(days=1), "1d"),
        (timedelta(days=4), "4d"),
        (timedelta(days=29), "29d"),
        (timedelta(days=30), "1mo"),
        (timedelta(days=91), "3mo"),
        (timedelta(days=364), "12mo"),
        (timedelta(days=365), "1y"),
        (timedelta(days=438), "1.2y"),
        (timedelta(days=730), "2y"),
        (timedelta(days=3650), "10y"),
    ],
)
def test_format_interval(interval, label):
    assert format_interval(interval) == label


def test_negative_interval():
    with pytest.raises(ValueError):
        format_interval(timedelta(minutes=-1))


def test_preview_labels():
    assert preview_labels(scheduler_for("fsrs"), CardState(), NOW) == [
        (1, "Again · 1m"),
        (2, "Hard · 6m"),
        (3, "Good · 10m"),
        (4, "Easy · 8d"),
    ]
    state = CardState(due=NOW, repetitions=2, interval_days=6, ease_factor=2.5)
    assert preview_labels(scheduler_for("sm2"), state, NOW) == [
        (1, "Again · 1d"),
        (2, "Hard · 15d"),
        (3, "Good · 15d"),
        (4, "Easy · 15d"),
    ]
