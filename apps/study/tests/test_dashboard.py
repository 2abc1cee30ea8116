"""Dashboard figures against values worked out by hand on the seeded history (conftest.py).

Window: the 30 days 2025-02-19 .. 2025-03-20 (NOW is 2025-03-20 12:00 UTC).
Maths    d0 reading 1800 s, d1 quiz 600 s (60 %), d2 review 900 s, d3 chat 300 s, d5 quiz 600 s (70 %),
         d29 00:30 reading 1200 s                 -> 6 sessions, 5400 s (90 min), quiz average (60+70)/2 = 65 %
         (d30 23:30 and d35 are outside the window; the d6 reading and a d2 quiz are archived)
Physics  d0 quiz 480 s (80 %), d4 quiz 420 s (75 %), d10 chat 240 s
                                                  -> 3 sessions, 1140 s (19 min), quiz average 77.5 %
History  d12 quiz 300 s (50 %), d20 quiz 300 s (90 %) -> 2 sessions, 600 s (10 min), quiz average 70 %
All      d1 review of every subject 600 s        -> 1 session, 600 s
Total    12 sessions, 7740 s = 129 min ("2 h 09 min"); 6 quiz attempts, (60+70+80+75+50+90)/6 = 70.8 %
Streak   d0..d5 all have study, d6 only an archived session -> 6 days, today included; 10 active days.
Weak     Limits: 60, 70 and 20 (d35, still within the year) -> 50 %, 3 attempts; Rome is exactly 70 %: not weak.
Pages    Limits p2 missed 3/3 (three quizzes); p4 2/3; p3 0/2 in quizzes + 2/3 "Again" reviews = 2/5;
         Optics p1 1/1; Limits p5 1/3; Optics p2 0/1 + SM-2 quality 2 and 4 = 1/3. (Limits p1: right twice, its
         miss and its "Again" review are archived; Rome p9 does not exist.)
Cards    due today: the overdue Optics card and the new Rome card = 2; this week: + Limits p3 in two days = 3.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.study import selectors
from apps.study.models import SessionType
from apps.study.tests.conftest import NOW, seed_history, session

pytestmark = pytest.mark.django_db


def _by_name(board):
    return {s.name: s for s in board.subjects}


def test_time_and_sessions_per_subject_in_the_last_30_days(seeded):
    board = selectors.dashboard(seeded.user, now=NOW)
    assert board.days[0].isoformat() == "2025-02-19" and board.days[-1].isoformat() == "2025-03-20"
    assert [s.name for s in board.subjects] == ["Maths", "Physics", "History", "All subjects"]
    subjects = _by_name(board)
    assert (subjects["Maths"].sessions, subjects["Maths"].seconds, subjects["Maths"].average_score) == (6, 5400, 65.0)
    assert (subjects["Physics"].sessions, subjects["Physics"].seconds, subjects["Physics"].average_score) == (
        3,
        1140,
        77.5,
    )
    assert (subjects["History"].sessions, subjects["History"].seconds, subjects["History"].average_score) == (
        2,
        600,
        70.0,
    )
    assert (subjects["All subjects"].sessions, subjects["All subjects"].seconds) == (1, 600)
    assert subjects["Maths"].by_type == {"reading": 2, "quiz": 2, "flashcards": 1, "chat": 1}
    assert (board.sessions, board.seconds, board.minutes) == (12, 7740, 129.0)
    assert (board.quiz_attempts, board.quiz_average) == (6, 70.8)


def test_streak_and_active_days(seeded):
    board = selectors.dashboard(seeded.user, now=NOW)
    assert (board.streak, board.studied_today, board.active_days) == (6, True, 10)
    # the next morning, before studying: the streak is still alive but today is not in it
    tomorrow = selectors.dashboard(seeded.user, now=NOW + timedelta(days=1))
    assert (tomorrow.streak, tomorrow.studied_today) == (6, False)
    # a day without study ends it
    assert selectors.dashboard(seeded.user, now=NOW + timedelta(days=2)).streak == 0


def test_weak_lectures_pages_cards_due_and_next_actions(seeded):
    board = selectors.dashboard(seeded.user, now=NOW)
    assert [(w["lecture_name"], w["average"], w["attempts"], w["quiz_id"]) for w in board.weak_lectures] == [
        ("Limits", 50.0, 3, seeded.m1_quiz.pk)
    ]
    assert [(p["lecture_name"], p["page"], p["missed"], p["asked"]) for p in board.weak_pages] == [
        ("Limits", 2, 3, 3),
        ("Limits", 4, 2, 3),
        ("Limits", 3, 2, 5),
        ("Optics", 1, 1, 1),
        ("Limits", 5, 1, 3),
        ("Optics", 2, 1, 3),
    ]
    assert (board.due_today, board.due_week) == (2, 3)
    assert board.remedial == {"lecture_id": seeded.m1.pk, "lecture_name": "Limits", "pages": [2, 3, 4, 5]}
    assert [a["label"] for a in board.actions] == [
        "Review 2 due cards",
        "Retake the quiz on Limits",
        "Make flashcards from your weakest pages",
    ]
    assert board.actions[2]["detail"] == "Limits, pages 2, 3, 4, 5."


def test_chart_data_matches_the_figures(seeded):
    charts = selectors.dashboard(seeded.user, now=NOW).chart_data()
    assert len(charts["days"]) == 30
    maths = next(s for s in charts["time"] if s["label"] == "Maths")
    assert maths["minutes"][-1] == 30.0 and maths["minutes"][-2] == 10.0 and maths["minutes"][0] == 20.0
    assert sum(maths["minutes"]) == 90.0
    quiz = dict(zip(charts["days"], charts["quiz"], strict=True))
    assert {day: score for day, score in quiz.items() if score is not None} == {
        "2025-02-28": 90.0,
        "2025-03-08": 50.0,
        "2025-03-15": 70.0,
        "2025-03-16": 75.0,
        "2025-03-19": 60.0,
        "2025-03-20": 80.0,
    }
    quiz_counts = next(t for t in charts["sessions"]["types"] if t["type"] == "quiz")["counts"]
    assert quiz_counts == [2, 2, 2, 0]  # Maths, Physics, History, All subjects


def test_days_follow_the_active_time_zone(seeded):
    """In New York the d29 00:30 UTC reading was the evening before the window (and NOW is still 20 March)."""
    with timezone.override("America/New_York"):
        board = selectors.dashboard(seeded.user, now=NOW)
    maths = _by_name(board)["Maths"]
    assert (maths.sessions, maths.seconds) == (5, 4200)
    assert board.days[-1].isoformat() == "2025-03-20"


def test_the_page_shows_the_figures_and_never_another_students(owner_client, seeded, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    response = owner_client.get(reverse("study:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure="time">2 h 09 min<' in html
    assert 'data-figure="sessions">12<' in html
    assert 'data-figure="streak">6 days<' in html
    assert 'data-figure="due">2<' in html and "3 this week" in html
    assert 'data-figure="quiz">70.8 %<' in html
    assert "Review 2 due cards" in html and "Retake the quiz on Limits" in html
    assert reverse("documents:take", args=[seeded.m1_quiz.pk]) in html
    assert reverse("lectures:page", args=[seeded.m1.pk, 2]) in html
    assert 'id="study-charts"' in html and "vendor/chartjs/chart.umd.min.js" in html
    # readable without JS: the tables hold the same numbers
    assert '<td class="num">1 h 30 min</td>' in html  # Maths in the per-subject table
    assert '<td class="num">65 %</td>' in html
    for name in seeded.other_names:
        assert name not in html


def test_another_students_data_never_counts(seeded):
    alone = selectors.dashboard(seeded.user, now=NOW)
    bob = selectors.dashboard(seeded.other, now=NOW)
    assert (bob.sessions, bob.seconds, bob.quiz_average, bob.due_today) == (2, 36060, 0.0, 1)
    assert [p["lecture_name"] for p in bob.weak_pages] == ["Bobs Acids", "Bobs Acids"]
    assert {s.name for s in alone.subjects}.isdisjoint({"Bobs Chemistry"})
    assert all(p["lecture_name"] != "Bobs Acids" for p in alone.weak_pages)
    assert alone.sessions == 12 and alone.due_today == 2


def test_a_new_student_sees_the_empty_state(owner_client):
    html = owner_client.get(reverse("study:dashboard")).content.decode()
    assert "Nothing studied yet" in html
    assert reverse("subjects:list") in html
    assert "chart.umd.min.js" not in html


def test_the_dashboard_needs_a_login(anon_client):
    response = anon_client.get(reverse("study:dashboard"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _more_history(user, history, n):
    """n more days of every kind of study (and n reviews) before the window's last weeks."""
    from apps.study.tests.conftest import review
    from tests.factories import FlashcardFactory

    card = FlashcardFactory(lecture=history.p1, source_page=1)
    for i in range(n):
        days_ago = 40 + i % 300
        session(user, SessionType.READING, days_ago=days_ago, seconds=60, lecture=history.m2)
        session(user, SessionType.QUIZ, days_ago=i % 30, seconds=60, lecture=history.h1, score=65.0,
                questions=[(1, False), (2, True), (3, i % 2 == 0)])  # fmt: skip
        review(card, 1 + i % 4)


def _queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("study:dashboard")).status_code == 200
    return len(queries)


def test_queries_do_not_grow_with_the_history(owner_client, user):
    history = seed_history(user)
    small = _queries(owner_client)
    _more_history(user, history, 120)
    large = _queries(owner_client)
    assert small == large, (small, large)
    assert small <= 15
