"""Reads of study sessions, always scoped to the asking user; archived sessions (older than a year) never count.

``dashboard`` builds the whole /study/ page in a fixed number of queries whatever the length of the history:
every figure is an aggregate in PostgreSQL (grouped by day, subject, lecture or page), never a loop over
sessions or reviews in Python.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Avg, Count, Max, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.study.models import SessionType, StudySession

WINDOW_DAYS = 30
WEAK_SCORE = 70.0
WEAK_LECTURES = 5
WEAK_PAGES = 6
REMEDIAL_PAGES = 5
NO_SUBJECT_COLOR = "#94a3b8"
TYPE_ORDER = [SessionType.READING, SessionType.CHAT, SessionType.QUIZ, SessionType.FLASHCARDS]


def live_sessions(user):
    return StudySession.objects.filter(user=user, archived=False)


def open_flashcard_sitting(user, subject, now=None) -> StudySession | None:
    """The review sitting still open in this scope (the one the next grade would count in), if any."""
    from apps.study.services import SITTING_IDLE

    now = now or timezone.now()
    return (
        live_sessions(user)
        .filter(session_type=SessionType.FLASHCARDS, subject=subject, ended_at__gte=now - SITTING_IDLE)
        .order_by("-ended_at")
        .first()
    )


@dataclass
class SubjectStudy:
    key: str
    name: str
    color: str
    subject_id: int | None
    sessions: int = 0
    seconds: int = 0
    by_type: dict = field(default_factory=dict)  # session type -> sessions
    score_sum: float = 0.0
    scored: int = 0
    seconds_by_day: dict = field(default_factory=dict)  # date -> seconds

    @property
    def minutes(self) -> float:
        return round(self.seconds / 60, 1)

    @property
    def average_score(self) -> float | None:
        return round(self.score_sum / self.scored, 1) if self.scored else None


@dataclass
class Dashboard:
    today: date
    days: list[date]
    subjects: list[SubjectStudy]
    sessions: int
    seconds: int
    quiz_by_day: dict  # date -> (average score, attempts)
    quiz_average: float | None
    quiz_attempts: int
    streak: int
    studied_today: bool
    active_days: int
    weak_lectures: list[dict]
    weak_pages: list[dict]
    due_today: int
    due_week: int
    has_cards: bool
    has_history: bool
    actions: list[dict] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        return not self.has_history and not self.has_cards

    @property
    def minutes(self) -> float:
        return round(self.seconds / 60, 1)

    @property
    def remedial(self) -> dict | None:
        return remedial_target(self.weak_pages)

    @property
    def day_rows(self) -> list[dict]:
        """The table under the study-time chart: per day, seconds per subject (in ``subjects`` order)."""
        rows = []
        for d in reversed(self.days):
            cells = [s.seconds_by_day.get(d, 0) for s in self.subjects]
            rows.append({"day": d, "cells": cells, "total": sum(cells)})
        return rows

    @property
    def quiz_rows(self) -> list[dict]:
        return [
            {"day": d, "average": self.quiz_by_day[d][0], "attempts": self.quiz_by_day[d][1]}
            for d in reversed(self.days)
            if d in self.quiz_by_day
        ]

    def chart_data(self) -> dict:
        """What static/js/study-dashboard.js draws (the tables beside the charts show the same numbers)."""
        labels = [d.isoformat() for d in self.days]
        return {
            "days": labels,
            "time": [
                {
                    "label": s.name,
                    "color": s.color,
                    "minutes": [round(s.seconds_by_day.get(d, 0) / 60, 1) for d in self.days],
                }
                for s in self.subjects
            ],
            "sessions": {
                "subjects": [s.name for s in self.subjects],
                "types": [
                    {"type": t.value, "label": t.label, "counts": [s.by_type.get(t.value, 0) for s in self.subjects]}
                    for t in TYPE_ORDER
                ],
            },
            "quiz": [self.quiz_by_day[d][0] if d in self.quiz_by_day else None for d in self.days],
            "weak_score": WEAK_SCORE,
        }


def window_start(today: date, tz) -> datetime:
    return datetime.combine(today - timedelta(days=WINDOW_DAYS - 1), time.min, tzinfo=tz)


def dashboard(user, now=None) -> Dashboard:
    from apps.flashcards.selectors import due_counts_by_subject

    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    today = timezone.localtime(now, tz).date()
    days = [today - timedelta(days=n) for n in range(WINDOW_DAYS - 1, -1, -1)]
    live = live_sessions(user).filter(started_at__lte=now)

    subjects, quiz_by_day = _window(live, window_start(today, tz), tz)
    study_days = _study_days(live, tz)
    streak, studied_today = _streak(study_days, today)
    weak_lectures = _weak_lectures(user, live)
    weak_pages = weak_pages_for_user(user)
    due = due_counts_by_subject(user, now)
    quiz_sum = sum(s.score_sum for s in subjects)
    quiz_attempts = sum(s.scored for s in subjects)
    board = Dashboard(
        today=today,
        days=days,
        subjects=subjects,
        sessions=sum(s.sessions for s in subjects),
        seconds=sum(s.seconds for s in subjects),
        quiz_by_day=quiz_by_day,
        quiz_average=round(quiz_sum / quiz_attempts, 1) if quiz_attempts else None,
        quiz_attempts=quiz_attempts,
        streak=streak,
        studied_today=studied_today,
        active_days=sum(1 for d in study_days if d >= days[0]),
        weak_lectures=weak_lectures,
        weak_pages=weak_pages,
        due_today=sum(c["today"] for c in due.values()),
        due_week=sum(c["week"] for c in due.values()),
        has_cards=bool(due),
        has_history=bool(study_days),
    )
    board.actions = _next_actions(board)
    return board


def _window(live, start, tz) -> tuple[list[SubjectStudy], dict]:
    """Sessions, time and quiz scores of the last 30 days by day, subject and type: one grouped query."""
    rows = (
        live.filter(started_at__gte=start)
        .annotate(day=TruncDate("started_at", tzinfo=tz))
        .values("day", "subject_id", "subject__name", "subject__color", "session_type")
        .annotate(n=Count("pk"), seconds=Sum("duration"), score_sum=Sum("score"), scored=Count("score"))
        .order_by()
    )
    by_subject: dict = {}
    quiz: dict = {}
    for row in rows:
        key = str(row["subject_id"] or "all")
        s = by_subject.get(key)
        if s is None:
            s = by_subject[key] = SubjectStudy(
                key=key,
                name=row["subject__name"] or "All subjects",
                color=row["subject__color"] or NO_SUBJECT_COLOR,
                subject_id=row["subject_id"],
            )
        s.sessions += row["n"]
        s.seconds += row["seconds"] or 0
        s.by_type[row["session_type"]] = s.by_type.get(row["session_type"], 0) + row["n"]
        s.seconds_by_day[row["day"]] = s.seconds_by_day.get(row["day"], 0) + (row["seconds"] or 0)
        if row["scored"]:
            s.score_sum += row["score_sum"]
            s.scored += row["scored"]
            total, count = quiz.get(row["day"], (0.0, 0))
            quiz[row["day"]] = (total + row["score_sum"], count + row["scored"])
    subjects = sorted(by_subject.values(), key=lambda s: (-s.seconds, s.subject_id is None, s.name))
    return subjects, {day: (round(total / count, 1), count) for day, (total, count) in quiz.items()}


def _study_days(live, tz) -> list[date]:
    """Every local day with study, newest first (at most a year's worth: older sessions are archived)."""
    return list(
        live.annotate(day=TruncDate("started_at", tzinfo=tz)).order_by("-day").values_list("day", flat=True).distinct()
    )


def _streak(study_days: list[date], today: date) -> tuple[int, bool]:
    """Days in a row with study, ending today, or yesterday when today has no study yet (still alive)."""
    present = set(study_days)
    studied_today = today in present
    day = today if studied_today else today - timedelta(days=1)
    streak = 0
    while day in present:
        streak += 1
        day -= timedelta(days=1)
    return streak, studied_today


def _weak_lectures(user, live) -> list[dict]:
    """Lectures whose quiz attempts average below 70 %, weakest first, with the quiz to retake."""
    from apps.documents.models import DocStatus, DocType, GeneratedDocument

    rows = list(
        live.filter(session_type=SessionType.QUIZ, lecture__isnull=False, score__isnull=False)
        .values("lecture_id", "lecture__name", "lecture__subject__name")
        .annotate(average=Avg("score"), attempts=Count("pk"), last=Max("started_at"))
        .filter(average__lt=WEAK_SCORE)
        .order_by("average", "lecture_id")[:WEAK_LECTURES]
    )
    if not rows:
        return []
    quizzes = dict(
        GeneratedDocument.objects.filter(
            owner=user,
            lecture_id__in=[r["lecture_id"] for r in rows],
            doc_type=DocType.QUIZ,
            status=DocStatus.COMPLETED,
        )
        .order_by("lecture_id", "-version")
        .distinct("lecture_id")
        .values_list("lecture_id", "pk")
    )
    return [
        {
            "lecture_id": r["lecture_id"],
            "lecture_name": r["lecture__name"],
            "subject_name": r["lecture__subject__name"],
            "average": round(r["average"], 1),
            "attempts": r["attempts"],
            "last": r["last"],
            "quiz_id": quizzes.get(r["lecture_id"]),
        }
        for r in rows
    ]


def weak_pages_for_user(user, limit: int = WEAK_PAGES) -> list[dict]:
    """The pages missed most: quiz questions answered wrong (or skipped) and flashcard grades of "Again" (SM-2
    quality below 3), counted per page of a lecture the user owns, most misses first, then the highest miss
    rate. One query; only pages that exist (every row links to the page view)."""
    sql = """
        WITH outcomes AS (
            SELECT s.lecture_id, (q.value->>'page')::int AS page, 1 AS asked,
                   CASE WHEN (q.value->>'right')::boolean THEN 0 ELSE 1 END AS missed
            FROM study_studysession s
            CROSS JOIN LATERAL jsonb_array_elements(
                CASE WHEN jsonb_typeof(s.metadata->'questions') = 'array' THEN s.metadata->'questions'
                     ELSE '[]'::jsonb END
            ) AS q(value)
            WHERE s.user_id = %(user)s AND s.session_type = %(quiz)s AND NOT s.archived
              AND s.lecture_id IS NOT NULL AND jsonb_typeof(q.value->'page') = 'number'
            UNION ALL
            SELECT c.lecture_id, c.source_page, 1,
                   CASE WHEN (r.algorithm = 'sm2' AND r.rating < 3) OR (r.algorithm <> 'sm2' AND r.rating = 1)
                        THEN 1 ELSE 0 END
            FROM flashcards_reviewlog r
            JOIN flashcards_flashcard c ON c.id = r.card_id
            LEFT JOIN study_studysession s ON s.id = r.session_id
            WHERE r.owner_id = %(user)s AND c.source_page IS NOT NULL AND NOT COALESCE(s.archived, false)
        )
        SELECT o.lecture_id, l.name, o.page, SUM(o.missed) AS missed, SUM(o.asked) AS asked
        FROM outcomes o
        JOIN lectures_lecture l ON l.id = o.lecture_id AND l.owner_id = %(user)s
        JOIN lectures_lecturepage p ON p.lecture_id = o.lecture_id AND p.number = o.page
        GROUP BY o.lecture_id, l.name, o.page
        HAVING SUM(o.missed) > 0
        ORDER BY SUM(o.missed) DESC, SUM(o.missed)::float / SUM(o.asked) DESC, o.lecture_id, o.page
        LIMIT %(limit)s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"user": user.pk, "quiz": SessionType.QUIZ.value, "limit": limit})
        rows = cursor.fetchall()
    return [
        {"lecture_id": lid, "lecture_name": name, "page": page, "missed": missed, "asked": asked}
        for lid, name, page, missed, asked in rows
    ]


def remedial_target(weak_pages: list[dict]) -> dict | None:
    """The lecture of the weakest page and its weak pages: what "Make flashcards from your weakest pages" makes a
    set from (a flashcard generation is per lecture)."""
    if not weak_pages:
        return None
    lecture_id = weak_pages[0]["lecture_id"]
    pages = [p["page"] for p in weak_pages if p["lecture_id"] == lecture_id][:REMEDIAL_PAGES]
    return {"lecture_id": lecture_id, "lecture_name": weak_pages[0]["lecture_name"], "pages": sorted(pages)}


def _next_actions(board: Dashboard) -> list[dict]:
    actions = []
    if board.due_today:
        n = board.due_today
        actions.append(
            {
                "kind": "review",
                "icon": "layers",
                "label": f"Review {n} due card{'s' if n != 1 else ''}",
                "detail": "Spaced repetition works best when you keep up every day.",
            }
        )
    retake = next((w for w in board.weak_lectures if w["quiz_id"]), None)
    if retake:
        actions.append(
            {
                "kind": "retake",
                "icon": "refresh-cw",
                "label": f"Retake the quiz on {retake['lecture_name']}",
                "detail": f"Your average there is {retake['average']:g} % over {retake['attempts']} "
                f"attempt{'s' if retake['attempts'] != 1 else ''}.",
                "quiz_id": retake["quiz_id"],
            }
        )
    remedial = board.remedial
    if remedial:
        pages = ", ".join(str(p) for p in remedial["pages"])
        actions.append(
            {
                "kind": "remedial",
                "icon": "sparkles",
                "label": "Make flashcards from your weakest pages",
                "detail": f"{remedial['lecture_name']}, page{'s' if len(remedial['pages']) != 1 else ''} {pages}.",
            }
        )
    return actions
