"""/api/v1/study: your study sessions and the dashboard's figures (apps/study/selectors)."""

from datetime import date, datetime

from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from apps.study import selectors

router = Router(tags=["study"])


class SessionOut(Schema):
    id: int
    session_type: str
    subject_id: int | None
    lecture_id: int | None
    started_at: datetime
    ended_at: datetime | None
    duration_seconds: int
    items_completed: int
    score: float | None

    @staticmethod
    def resolve_duration_seconds(session) -> int:
        return session.duration


class SubjectFiguresOut(Schema):
    subject_id: int | None
    name: str
    sessions: int
    minutes: float
    average_score: float | None
    sessions_by_type: dict


class DashboardOut(Schema):
    today: date
    days: list[date]
    minutes: float
    sessions: int
    active_days: int
    streak: int
    studied_today: bool
    quiz_average: float | None
    quiz_attempts: int
    due_today: int
    due_week: int
    subjects: list[SubjectFiguresOut]
    weak_lectures: list[dict]
    weak_pages: list[dict]
    next_actions: list[dict]
    charts: dict


@router.get("/sessions", response=list[SessionOut])
@paginate(PageNumberPagination, page_size=50)
def list_sessions(request):
    """Every study session of yours in the last year (older ones are archived), newest first."""
    return selectors.live_sessions(request.user).order_by("-started_at", "-id")


@router.get("/dashboard", response=DashboardOut)
def dashboard(request):
    """The figures of the /study/ page: the last 30 days per subject, streak, quiz scores, weak areas, cards due."""
    board = selectors.dashboard(request.user)
    return {
        "today": board.today,
        "days": board.days,
        "minutes": board.minutes,
        "sessions": board.sessions,
        "active_days": board.active_days,
        "streak": board.streak,
        "studied_today": board.studied_today,
        "quiz_average": board.quiz_average,
        "quiz_attempts": board.quiz_attempts,
        "due_today": board.due_today,
        "due_week": board.due_week,
        "subjects": [
            {
                "subject_id": s.subject_id,
                "name": s.name,
                "sessions": s.sessions,
                "minutes": s.minutes,
                "average_score": s.average_score,
                "sessions_by_type": s.by_type,
            }
            for s in board.subjects
        ],
        "weak_lectures": board.weak_lectures,
        "weak_pages": board.weak_pages,
        "next_actions": board.actions,
        "charts": board.chart_data(),
    }
