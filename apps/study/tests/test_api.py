"""/api/v1/study: sessions (paginated, own only) and the dashboard figures the page shows."""

import pytest
from django.utils import timezone

from apps.study.models import StudySession
from tests.api_clients import token_client

pytestmark = pytest.mark.django_db


def test_sessions_and_dashboard_are_my_own(user, other_user, password, subject):
    now = timezone.now()
    StudySession.objects.create(user=user, subject=subject, session_type="quiz", score=50, duration=600, started_at=now)
    StudySession.objects.create(user=other_user, session_type="reading", duration=60, started_at=now)
    api = token_client(user, password)
    sessions = api.get("/api/v1/study/sessions").json()
    assert sessions["count"] == 1
    assert sessions["items"][0]["duration_seconds"] == 600 and sessions["items"][0]["score"] == 50
    board = api.get("/api/v1/study/dashboard").json()
    assert (board["sessions"], board["minutes"], board["quiz_average"], board["streak"]) == (1, 10.0, 50.0, 1)
    assert [s["name"] for s in board["subjects"]] == [subject.name]
    assert len(board["days"]) == 30 and len(board["charts"]["days"]) == 30
    other = token_client(other_user, password).get("/api/v1/study/dashboard").json()
    assert other["quiz_average"] is None and subject.name not in str(other)
