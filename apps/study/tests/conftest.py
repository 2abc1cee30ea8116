"""A seeded study history for the dashboard tests: sessions across 40 days in three subjects (and one review of
every subject), quiz scores around 70 %, per-question pages, card reviews, due cards, an archived session, and
another student's data that must never show. The expected figures are worked out by hand in test_dashboard.py.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from apps.flashcards.models import ReviewLog
from apps.lectures.models import LecturePage
from apps.study.models import SessionType, StudySession
from tests.factories import (
    FlashcardFactory,
    GeneratedDocumentFactory,
    LectureFactory,
    ReviewLogFactory,
    SubjectFactory,
    UserFactory,
)

NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)


def at(days_ago: int, hour: int = 10, minute: int = 0) -> datetime:
    return (NOW - timedelta(days=days_ago)).replace(hour=hour, minute=minute)


def session(user, kind, *, days_ago, hour=10, minute=0, seconds, lecture=None, subject=None, score=None, **extra):
    started = at(days_ago, hour, minute)
    questions = extra.pop("questions", None)
    metadata = {"questions": [{"page": p, "right": r} for p, r in questions]} if questions else {}
    return StudySession.objects.create(
        user=user,
        session_type=kind,
        subject=subject or (lecture.subject if lecture else None),
        lecture=lecture,
        duration=seconds,
        score=score,
        started_at=started,
        ended_at=started + timedelta(seconds=seconds),
        metadata=metadata,
        **extra,
    )


def with_pages(lecture, n):
    LecturePage.objects.bulk_create(
        [
            LecturePage(lecture=lecture, number=i, text=f"{lecture.name} page {i}", method="text")
            for i in range(1, n + 1)
        ]
    )
    lecture.page_count = n
    lecture.save(update_fields=["page_count"])
    return lecture


def review(card, rating, *, algorithm="fsrs", session=None):
    log = ReviewLogFactory(card=card, rating=rating, algorithm=algorithm)
    if session is not None:
        ReviewLog.objects.filter(pk=log.pk).update(session=session)
    return log


@dataclass
class History:
    user: object
    maths: object
    physics: object
    history: object
    m1: object
    m2: object
    p1: object
    h1: object
    m1_quiz: object
    other: object = None
    other_names: list = field(default_factory=list)


def seed_history(user) -> History:
    maths = SubjectFactory(user=user, name="Maths", color="#4f46e5")
    physics = SubjectFactory(user=user, name="Physics", color="#0ea5a4")
    history = SubjectFactory(user=user, name="History", color="#b45309")
    m1 = with_pages(LectureFactory(owner=user, subject=maths, name="Limits", status="completed"), 5)
    m2 = with_pages(LectureFactory(owner=user, subject=maths, name="Series", status="completed"), 5)
    p1 = with_pages(LectureFactory(owner=user, subject=physics, name="Optics", status="completed"), 2)
    h1 = with_pages(LectureFactory(owner=user, subject=history, name="Rome", status="completed"), 3)
    GeneratedDocumentFactory(lecture=m1)
    m1_quiz = GeneratedDocumentFactory(lecture=m1)  # version 2: the quiz to retake

    R, Q, F, C = SessionType.READING, SessionType.QUIZ, SessionType.FLASHCARDS, SessionType.CHAT
    # Maths
    session(user, R, days_ago=0, hour=9, seconds=1800, lecture=m1)
    session(user, Q, days_ago=1, hour=18, seconds=600, lecture=m1, score=60.0,
            questions=[(1, True), (2, False), (3, True), (4, False), (5, True)])  # fmt: skip
    session(user, F, days_ago=2, seconds=900, subject=maths)
    session(user, C, days_ago=3, seconds=300, lecture=m2)
    session(user, Q, days_ago=5, seconds=600, lecture=m1, score=70.0,
            questions=[(2, False), (3, True), (4, True), (5, True)])  # fmt: skip
    session(user, R, days_ago=29, hour=0, minute=30, seconds=1200, lecture=m2)  # first day of the window
    session(user, R, days_ago=30, hour=23, minute=30, seconds=3600, lecture=m1)  # the day before it
    session(user, Q, days_ago=35, seconds=300, lecture=m1, score=20.0,
            questions=[(2, False), (4, False), (5, False), (1, True)])  # fmt: skip
    # Physics
    session(user, Q, days_ago=0, hour=11, seconds=480, lecture=p1, score=80.0, questions=[(1, False), (2, True)])
    session(user, Q, days_ago=4, seconds=420, lecture=p1, score=75.0)
    session(user, C, days_ago=10, seconds=240, lecture=p1)
    session(user, R, days_ago=39, seconds=999, lecture=p1)
    # History: exactly 70 % on average, which is not weak
    session(user, Q, days_ago=12, seconds=300, lecture=h1, score=50.0)
    session(user, Q, days_ago=20, seconds=300, lecture=h1, score=90.0)
    # a review of every subject at once
    session(user, F, days_ago=1, seconds=600)
    # archived: out of every figure
    archived = session(user, R, days_ago=6, seconds=7200, lecture=m1, archived=True)  # would stretch the streak
    session(user, Q, days_ago=2, seconds=600, lecture=m1, score=0.0, questions=[(1, False)], archived=True)

    # cards: reviews decide the missed pages, due dates the cards due
    c_m1p3 = FlashcardFactory(lecture=m1, source_page=3, due_at=NOW + timedelta(days=2))
    review(c_m1p3, 1), review(c_m1p3, 3), review(c_m1p3, 1)
    c_p1p2 = FlashcardFactory(lecture=p1, source_page=2, due_at=NOW - timedelta(days=1))
    review(c_p1p2, 2, algorithm="sm2"), review(c_p1p2, 4, algorithm="sm2")
    c_h1p9 = FlashcardFactory(lecture=h1, source_page=9)  # a page the lecture does not have; new: due today
    review(c_h1p9, 1)
    c_m1p1 = FlashcardFactory(lecture=m1, source_page=1, due_at=NOW + timedelta(days=30))
    review(c_m1p1, 1, session=archived)
    FlashcardFactory(lecture=m1, source_page=2, suspended=True)
    return History(user, maths, physics, history, m1, m2, p1, h1, m1_quiz)


def seed_other_student(history: History):
    """Bob: lots of study, a failed quiz, missed pages and due cards, all of which Alice must never see."""
    bob = UserFactory(username="bob")
    subject = SubjectFactory(user=bob, name="Bobs Chemistry")
    lecture = with_pages(LectureFactory(owner=bob, subject=subject, name="Bobs Acids", status="completed"), 2)
    session(bob, SessionType.READING, days_ago=0, seconds=36000, lecture=lecture)
    session(bob, SessionType.QUIZ, days_ago=0, seconds=60, lecture=lecture, score=0.0, questions=[(1, False)])
    card = FlashcardFactory(lecture=lecture, source_page=2)
    review(card, 1)
    history.other = bob
    history.other_names = ["Bobs Chemistry", "Bobs Acids"]
    return bob


@pytest.fixture
def seeded(user):
    history = seed_history(user)
    seed_other_student(history)
    return history
