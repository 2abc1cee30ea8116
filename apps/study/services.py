"""Every write of study time. Chat, quiz attempts, flashcard sittings and reading all record through here, so a
session means the same thing (type, subject, lecture, duration in seconds, score, items) whoever wrote it.

- chat: a session per conversation; each question adds the time since the previous one, capped (a student who
  comes back the next day did not study all night).
- quiz: one finished session per attempt, with the page of every question and whether it was right (the
  dashboard's weak pages read these, so they survive deleting the quiz).
- flashcards: a sitting is the open session of the same scope with activity in the last 30 minutes.
- reading: heartbeats from the lecture and page views (static/js/study.js) while the page is visible and in use;
  a sitting per lecture like flashcards, each heartbeat adding at most ``READING_BEAT_MAX_S`` and never more
  than the wall-clock time since the previous one (two open tabs do not count twice).
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.study.models import SessionType, StudySession

CHAT_IDLE_CAP_S = 300  # a gap longer than this between questions counts as this much study time
SITTING_IDLE = timedelta(minutes=30)  # flashcards and reading: a pause longer than this starts a new sitting
QUIZ_MAX_S = 6 * 3600
READING_BEAT_MAX_S = 60  # the page beats every 30 s of visible, active time
READING_BEAT_SLACK_S = 5
READING_VIEW_IDS_KEPT = 50
ARCHIVE_AFTER = timedelta(days=365)


# -- chat -------------------------------------------------------------------------------------------------


def start_chat(*, user_id, subject_id, lecture_id=None, at=None, metadata=None) -> StudySession:
    at = at or timezone.now()
    return StudySession.objects.create(
        user_id=user_id,
        subject_id=subject_id,
        lecture_id=lecture_id,
        session_type=SessionType.CHAT,
        started_at=at,
        ended_at=at,
        metadata=metadata or {},
    )


def link_chat(session: StudySession, conversation_id: int) -> None:
    session.metadata = {**session.metadata, "conversation_id": conversation_id}
    StudySession.objects.filter(pk=session.pk).update(metadata=session.metadata)


def count_chat_question(session: StudySession, at) -> None:
    """One more question in a conversation: the time since the last one, capped, and one item."""
    last = session.ended_at or session.started_at
    gap = max(1, min(CHAT_IDLE_CAP_S, int((at - last).total_seconds())))
    StudySession.objects.filter(pk=session.pk).update(
        items_completed=F("items_completed") + 1, duration=F("duration") + gap, ended_at=at
    )


# -- quizzes ----------------------------------------------------------------------------------------------


def record_quiz(
    *, user, subject_id, lecture_id, started_at, ended_at, score: float, answered: int, questions: list, metadata=None
) -> StudySession:
    """A finished quiz attempt. ``questions``: per question, ``{"page": int | None, "right": bool}``."""
    return StudySession.objects.create(
        user=user,
        subject_id=subject_id,
        lecture_id=lecture_id,
        session_type=SessionType.QUIZ,
        duration=max(0, min(int((ended_at - started_at).total_seconds()), QUIZ_MAX_S)),
        score=score,
        items_completed=answered,
        started_at=started_at,
        ended_at=ended_at,
        metadata={
            **(metadata or {}),
            "questions": [{"page": q.get("page"), "right": bool(q["right"])} for q in questions],
        },
    )


# -- flashcard sittings -----------------------------------------------------------------------------------


def _open_sitting(user, session_type, at, metadata, **scope) -> StudySession:
    """The open sitting of this kind and scope (activity within ``SITTING_IDLE``), locked, or a new one. Call
    inside a transaction."""
    recent = (
        StudySession.objects.select_for_update()
        .filter(user=user, session_type=session_type, archived=False, ended_at__gte=at - SITTING_IDLE, **scope)
        .order_by("-ended_at")
        .first()
    )
    if recent is not None:
        return recent
    return StudySession.objects.create(
        user=user, session_type=session_type, started_at=at, ended_at=at, metadata=metadata, **scope
    )


def flashcard_sitting(*, user, subject_id, at) -> StudySession:
    """The sitting a grade counts in (``subject_id`` None: a review of every subject). Call inside a
    transaction."""
    return _open_sitting(user, SessionType.FLASHCARDS, at, {"rating_sum": 0}, subject_id=subject_id)


def count_review(session: StudySession, at, rating: int, *, undo: bool = False) -> None:
    """One card graded (or, ``undo``, ungraded) in a sitting: items, the average 1-4 rating, the duration."""
    step = -1 if undo else 1
    session.items_completed = max(0, session.items_completed + step)
    rating_sum = session.metadata.get("rating_sum", 0) + step * rating
    session.metadata = {**session.metadata, "rating_sum": rating_sum}
    session.metadata["average_rating"] = (
        round(rating_sum / session.items_completed, 2) if session.items_completed else None
    )
    if not undo:
        # another tab may have opened or extended this sitting after ``at`` was read
        session.ended_at = max(session.ended_at, at)
    session.duration = max(0, int((session.ended_at - session.started_at).total_seconds()))
    session.save(update_fields=["items_completed", "metadata", "ended_at", "duration"])


def uncount_review(session_id: int, at, rating: int) -> None:
    """Undo of a grade: take it out of its sitting. Call inside a transaction."""
    session = StudySession.objects.select_for_update().filter(pk=session_id).first()
    if session is not None:
        count_review(session, at, rating, undo=True)


# -- reading ----------------------------------------------------------------------------------------------


def record_reading(*, user, lecture, page: int | None, seconds: int, view: str = "", at=None) -> StudySession:
    """A heartbeat from a lecture (``page`` None) or one of its pages: ``seconds`` of visible, active reading
    since the previous beat, and a page view the first time ``view`` (one id per page shown) is seen."""
    at = at or timezone.now()
    seconds = max(0, min(int(seconds or 0), READING_BEAT_MAX_S))
    view = (view or "")[:40]
    with transaction.atomic():
        session = _open_sitting(
            user,
            SessionType.READING,
            at,
            {"pages": {}, "view_ids": []},
            subject_id=lecture.subject_id,
            lecture_id=lecture.pk,
        )
        fresh = session.duration == 0 and session.items_completed == 0 and session.started_at == at
        if fresh:
            # the first beat's time happened before it arrived
            session.started_at = at - timedelta(seconds=seconds)
        else:
            wall = (at - session.ended_at).total_seconds() + READING_BEAT_SLACK_S
            seconds = max(0, min(seconds, int(wall)))
        session.duration += seconds
        session.ended_at = max(session.ended_at, at)
        metadata = {"pages": {}, "view_ids": [], **session.metadata}
        if view and view not in metadata["view_ids"]:
            metadata["view_ids"] = [*metadata["view_ids"], view][-READING_VIEW_IDS_KEPT:]
            key = str(page) if page else "lecture"
            metadata["pages"] = {**metadata["pages"], key: metadata["pages"].get(key, 0) + 1}
            session.items_completed += 1
        session.metadata = metadata
        session.save(update_fields=["started_at", "duration", "ended_at", "items_completed", "metadata"])
    return session


# -- housekeeping -----------------------------------------------------------------------------------------


def archive_old_sessions(now=None) -> int:
    """Sessions that started more than a year ago leave the dashboard; they are kept, not deleted."""
    cutoff = (now or timezone.now()) - ARCHIVE_AFTER
    return StudySession.objects.filter(archived=False, started_at__lt=cutoff).update(archived=True)
