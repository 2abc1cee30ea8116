"""apps.study.services: the one writer of study sessions (reading heartbeats, quiz pages, archiving), and the
features that record through it."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone
from django_q.models import Schedule

from apps.core.schedules import ensure_schedules
from apps.study import services, tasks
from apps.study.models import StudySession
from apps.study.tests.conftest import NOW, session
from tests.factories import GeneratedDocumentFactory, LectureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture(user, subject):
    return LectureFactory(owner=user, subject=subject, status="completed", page_count=12)


def test_a_first_visible_view_counts_a_page_view_and_no_time(user, lecture):
    s = services.record_reading(user=user, lecture=lecture, page=3, seconds=0, view="v1", at=NOW)
    assert (s.session_type, s.subject_id, s.lecture_id) == ("reading", lecture.subject_id, lecture.pk)
    assert (s.items_completed, s.duration, s.started_at, s.ended_at) == (1, 0, NOW, NOW)
    assert s.metadata["pages"] == {"3": 1}


def test_heartbeats_add_time_and_count_each_view_once(user, lecture):
    services.record_reading(user=user, lecture=lecture, page=3, seconds=0, view="v1", at=NOW)
    services.record_reading(user=user, lecture=lecture, page=3, seconds=30, view="v1", at=NOW + timedelta(seconds=30))
    services.record_reading(user=user, lecture=lecture, page=3, seconds=30, view="v1", at=NOW + timedelta(seconds=60))
    services.record_reading(user=user, lecture=lecture, page=4, seconds=0, view="v2", at=NOW + timedelta(seconds=61))
    services.record_reading(user=user, lecture=lecture, page=None, seconds=0, view="v3", at=NOW + timedelta(seconds=70))
    s = StudySession.objects.get()
    assert (s.duration, s.items_completed) == (60, 3)
    assert s.metadata["pages"] == {"3": 1, "4": 1, "lecture": 1}
    assert s.ended_at == NOW + timedelta(seconds=70)


def test_a_beat_is_capped_and_never_exceeds_the_wall_clock(user, lecture):
    """A forged or doubled beat (two tabs) cannot count more than a minute, nor more than the time since the last."""
    services.record_reading(user=user, lecture=lecture, page=1, seconds=3600, view="a", at=NOW)
    assert StudySession.objects.get().duration == services.READING_BEAT_MAX_S
    services.record_reading(user=user, lecture=lecture, page=1, seconds=30, view="b", at=NOW + timedelta(seconds=2))
    assert StudySession.objects.get().duration == 60 + 2 + services.READING_BEAT_SLACK_S


def test_a_long_pause_starts_a_new_reading_sitting(user, lecture):
    services.record_reading(user=user, lecture=lecture, page=1, seconds=30, view="a", at=NOW)
    services.record_reading(user=user, lecture=lecture, page=1, seconds=30, view="a", at=NOW + timedelta(minutes=31))
    assert StudySession.objects.count() == 2
    other = LectureFactory(owner=user, subject=lecture.subject, status="completed", page_count=2)
    services.record_reading(user=user, lecture=other, page=1, seconds=30, view="c", at=NOW + timedelta(minutes=32))
    assert StudySession.objects.count() == 3  # a sitting per lecture


def test_a_quiz_attempt_records_the_page_of_every_question(user):
    from apps.documents.services import record_quiz_attempt

    quiz = GeneratedDocumentFactory(lecture=LectureFactory(owner=user, status="completed"))
    attempt = record_quiz_attempt(actor=user, document=quiz, answers=[0, 0, 2, None])  # right, wrong, right, skipped
    s = attempt.study_session
    assert (s.session_type, s.score, s.items_completed) == ("quiz", 50.0, 3)
    assert s.metadata["questions"] == [
        {"page": 3, "right": True},
        {"page": 5, "right": False},
        {"page": 7, "right": True},
        {"page": 8, "right": False},
    ]
    assert (s.metadata["correct"], s.metadata["total"], s.metadata["document"]) == (2, 4, quiz.pk)


def test_chat_records_through_the_service_and_an_archived_session_is_not_reopened(user, subject):
    from apps.chat import services as chat
    from apps.chat.models import Conversation

    conversation = chat.start_conversation(actor=user, subject=subject)
    first = conversation.study_session
    assert (first.session_type, first.metadata) == ("chat", {"conversation_id": conversation.pk})
    StudySession.objects.filter(pk=first.pk).update(archived=True)
    chat._count_in_study_session(conversation.pk, timezone.now())
    conversation = Conversation.objects.get(pk=conversation.pk)
    assert conversation.study_session_id != first.pk
    assert (conversation.study_session.items_completed, conversation.study_session.archived) == (1, False)
    assert StudySession.objects.get(pk=first.pk).items_completed == 0


def test_sessions_older_than_a_year_are_archived_not_deleted(user, lecture):
    old = session(user, "reading", days_ago=366, seconds=60, lecture=lecture)
    edge = session(user, "reading", days_ago=364, seconds=60, lecture=lecture)
    assert services.archive_old_sessions(now=NOW) == 1
    old.refresh_from_db(), edge.refresh_from_db()
    assert (old.archived, edge.archived) == (True, False)
    assert services.archive_old_sessions(now=NOW) == 0  # idempotent
    assert StudySession.objects.count() == 2


def test_archiving_is_scheduled_daily_and_the_task_runs(user, lecture):
    ensure_schedules(apps.get_app_config("core"))
    schedule = Schedule.objects.get(name="archive-old-study-sessions")
    assert (schedule.func, schedule.schedule_type) == ("apps.study.tasks.archive_old_sessions", "D")
    StudySession.objects.create(
        user=user, session_type="reading", lecture=lecture, started_at=timezone.now() - timedelta(days=400)
    )
    assert tasks.archive_old_sessions() == 1
