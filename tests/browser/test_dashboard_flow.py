"""The study dashboard in Chromium: after a quiz attempt and a review sitting (recorded through their services),
and reading a page in the browser (the visibility beacon), /study/ draws its charts with the vendored Chart.js;
without JavaScript the same numbers are tables. Screenshots on a laptop and a phone."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.documents.services import record_quiz_attempt
from apps.flashcards import reviewing
from apps.lectures.models import LecturePage
from apps.study import services as study
from apps.study.models import StudySession
from tests.browser.helpers import LAPTOP, log_in, shots
from tests.factories import FlashcardFactory, GeneratedDocumentFactory, LectureFactory, SubjectFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser, pytest.mark.slow]


def _lecture(user, subject, name, pages):
    lecture = LectureFactory(owner=user, subject=subject, name=name, status="completed", page_count=pages)
    LecturePage.objects.bulk_create(
        [
            LecturePage(lecture=lecture, number=n, text=f"{name}, page {n}: what the slide says.", method="text")
            for n in range(1, pages + 1)
        ]
    )
    return lecture


def _seed():
    user = UserFactory(username="dana")
    python = SubjectFactory(user=user, name="Python", color="#4f46e5")
    maths = SubjectFactory(user=user, name="Maths", color="#0ea5a4")
    expressions = _lecture(user, python, "Expressions", 8)
    limits = _lecture(user, maths, "Limits", 4)
    now = timezone.now()
    # some reading on earlier days (in time order, as beats arrive), so the charts have a history
    for days_ago, lecture, minutes in [(6, expressions, 30), (4, limits, 15), (2, expressions, 40), (1, limits, 25)]:
        for beat in range(minutes):
            at = now - timedelta(days=days_ago) + timedelta(minutes=beat)
            study.record_reading(user=user, lecture=lecture, page=1 + beat % 4, seconds=60, view=f"v{beat}", at=at)
    # a quiz: right, wrong, wrong, right -> 50 %
    quiz = GeneratedDocumentFactory(lecture=expressions)
    record_quiz_attempt(actor=user, document=quiz, answers=[0, 0, 0, 3], started_at=now - timedelta(minutes=6))
    # a review sitting of three cards: Good, Again, Good
    cards = [FlashcardFactory(lecture=expressions, source_page=p) for p in (3, 5, 7)]
    for card, rating in zip(cards, (3, 1, 3), strict=True):
        reviewing.grade_card(actor=user, card_id=card.pk, rating=rating, seen_count=0)
    return user, expressions, quiz


def test_the_dashboard_shows_charts_after_a_quiz_and_a_review_sitting(app_server, page, browser, tmp_path):
    user, expressions, quiz = _seed()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(page, app_server, "dana")

    # Reading a page in the browser: the view counts once it is visible; time flushes when the page goes away.
    page.goto(f"{app_server}/lectures/{expressions.pk}/pages/2/")
    for _ in range(100):
        reading = StudySession.objects.filter(user=user, session_type="reading", lecture=expressions).first()
        if reading is not None and reading.started_at > timezone.now() - timedelta(minutes=5):
            break
        page.wait_for_timeout(100)
    reading = StudySession.objects.filter(user=user, session_type="reading").order_by("-started_at").first()
    assert reading.metadata["pages"] == {"2": 1} and reading.items_completed == 1
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(2500)

    page.goto(f"{app_server}/study/")
    expect(page).to_have_url(re.compile(r"/study/$"))
    for _ in range(50):
        reading.refresh_from_db()
        if reading.duration:
            break
        page.wait_for_timeout(100)
    assert 2 <= reading.duration <= 10, reading.duration

    for chart in ("#chart-time", "#chart-sessions", "#chart-quiz"):
        expect(page.locator(f"{chart}[data-chart-ready='1']")).to_be_visible()
    expect(page.locator("[data-figure=quiz]")).to_have_text("50 %")
    expect(page.locator("[data-figure=streak]")).to_have_text("3 days")
    expect(page.locator("#next-actions [data-action=review]")).to_contain_text(re.compile(r"Review \d+ due cards?"))
    expect(page.locator("#next-actions [data-action=retake]")).to_contain_text("Retake the quiz on Expressions")
    expect(page.locator("#weak-pages")).to_contain_text("Expressions, page 5")
    # with the charts drawn, the day-by-day table is folded away but still there
    expect(page.locator("#table-time")).to_be_hidden()
    page.locator("#time-title").scroll_into_view_if_needed()
    page.get_by_text("Show as a table").first.click()
    expect(page.locator("#table-time")).to_be_visible()
    page.get_by_text("Show as a table").first.click()
    # the canvas really has pixels drawn on it
    painted = page.evaluate(
        """() => { const c = document.getElementById('chart-time'); const d = c.getContext('2d')
              .getImageData(0, 0, c.width, c.height).data; let n = 0; for (let i = 3; i < d.length; i += 4)
              if (d[i]) n++; return n; }"""
    )
    assert painted > 1000, painted
    shots(page, tmp_path, "study-dashboard")
    assert errors == [], errors

    # Without JavaScript: no charts, the same numbers as tables.
    context = browser.new_context(viewport=LAPTOP, java_script_enabled=False)
    try:
        nojs = context.new_page()
        log_in(nojs, app_server, "dana")
        nojs.goto(f"{app_server}/study/")
        expect(nojs.locator("#chart-time")).to_be_hidden()
        expect(nojs.locator("#table-time")).to_be_visible()
        expect(nojs.locator("#table-quiz")).to_contain_text("50 %")
        expect(nojs.locator("#table-subjects")).to_contain_text("Python")
        nojs.screenshot(path=str(tmp_path / "study-dashboard-nojs.png"), full_page=True)
    finally:
        context.close()
