"""Fixtures of the flashcards view tests: a completed lecture of the owner with a few cards, and a frozen clock."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from tests.factories import FlashcardFactory, LectureFactory


@pytest.fixture
def lecture(user, subject):
    """A completed ten-page lecture of the owner (no pages: the card views do not read them)."""
    return LectureFactory(owner=user, subject=subject, name="Week 1", status="completed", page_count=10)


@pytest.fixture
def card(lecture):
    return FlashcardFactory(lecture=lecture, question="What does // do?", answer="Floor division.", tags=["ops"])


@pytest.fixture
def cards(lecture):
    """Three new cards of the lecture, oldest first."""
    return [FlashcardFactory(lecture=lecture) for _ in range(3)]


@pytest.fixture
def profile(user):
    from apps.accounts.models import Profile

    return Profile.objects.get_or_create(user=user)[0]


def set_algorithm(user, algorithm: str):
    from apps.accounts.models import Profile

    profile, _ = Profile.objects.get_or_create(user=user)
    profile.srs_algorithm = algorithm
    profile.save()
    return profile


class Clock:
    """``timezone.now()`` frozen at ``at`` (and moved with ``advance``) everywhere the app calls it."""

    def __init__(self, monkeypatch, at: datetime):
        self.at = at
        monkeypatch.setattr(timezone, "now", lambda: self.at)

    def advance(self, **delta):
        from datetime import timedelta

        self.at = self.at + timedelta(**delta)
        return self.at


@pytest.fixture
def clock(monkeypatch):
    """A frozen clock at 09:00 UTC today (near the real time, so the test client's session is still valid)."""
    today = datetime.now(UTC).date()
    return Clock(monkeypatch, datetime(today.year, today.month, today.day, 9, 0, tzinfo=UTC))
