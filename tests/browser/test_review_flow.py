"""Make flashcards from the py4e Expressions deck on the lecture's flashcards page (real worker), review five with
the keyboard only (Space, then 1-4), undo one with U, without the page ever reloading, and see the subject page's
"Due today" drop by the cards that are no longer due today."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from apps.flashcards.models import CardGeneration, Flashcard, ReviewLog
from apps.flashcards.selectors import start_of_day
from apps.lectures.tests.helpers import ingest_now, upload_file
from apps.study.models import StudySession
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.helpers import LAPTOP, log_in, shots
from tests.factories import SubjectFactory, UserFactory
from tests.processes import running_server, running_worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser, pytest.mark.slow]

PLAN = [4, 3, 4, 1, 4]  # Easy, Good, Easy, Again, Easy; the last one is undone


def _due_today(page) -> int:
    return int(page.locator("[data-due-today]").text_content().strip())


def test_make_cards_review_five_with_the_keyboard_undo_one(fixtures_dir, tmp_path):
    user = UserFactory(username="rosa")
    subject = SubjectFactory(user=user, name="Python")
    lecture = ingest_now(upload_file(user, subject, fixtures_dir / "lectures/py4e_Pythonlearn-02-Expressions.pdf"))
    assert lecture.status == "completed", lecture.error_message

    server_log, worker_log = tmp_path / "daphne.log", tmp_path / "worker.log"
    with (
        running_server(server_log) as base,
        running_worker(worker_log, WORKER_PROCESSES="1"),
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport=LAPTOP)
        page = context.new_page()
        page.set_default_timeout(20_000)
        try:
            log_in(page, base, "rosa")

            # Make 20 cards on the lecture's flashcards page; the status follows the worker over the websocket.
            page.goto(f"{base}/lectures/{lecture.pk}/")
            page.locator("#flashcards").get_by_role("link", name="Make flashcards").click()
            expect(page).to_have_url(re.compile(rf"/flashcards/lecture/{lecture.pk}/#generate$"))
            page.fill("#card-count", "20")
            page.locator("#generate").get_by_role("button", name="Make flashcards").click()
            expect(page.locator("#realtime[data-state=open]")).to_have_count(1, timeout=10_000)
            generation = CardGeneration.objects.get(lecture=lecture)
            status = page.locator(f"#cards-generation-{generation.pk}")
            expect(status).to_have_attribute("data-status", "completed", timeout=120_000)
            made = Flashcard.objects.filter(lecture=lecture).count()
            assert made >= 15, made
            expect(status).to_contain_text(f"{made} new cards")
            status.get_by_role("link", name="Show the cards").click()
            expect(page.locator(".card-row")).to_have_count(made)
            page.screenshot(path=str(tmp_path / "01-lecture-cards.png"), full_page=True)

            page.goto(f"{base}/subjects/{subject.pk}/")
            before = _due_today(page)
            assert before == made  # every new card is due today

            # Review, keyboard only.
            page.get_by_role("link", name=re.compile(r"Review \d+ due cards")).click()
            expect(page).to_have_url(re.compile(rf"/flashcards/review/\?subject={subject.pk}$"))
            expect(page.locator(".review-card")).to_be_visible()
            page.evaluate("window.__reviewMarker = 'still the same page'")
            navigations = []
            page.on("framenavigated", lambda f: navigations.append(f.url) if f == page.main_frame else None)
            shots(page, tmp_path, "02-review-front")

            graded = []
            for i, rating in enumerate(PLAN):
                card = page.locator(".review-card")
                card_id = int(card.get_attribute("data-card"))
                expect(page.locator("[data-back]").first).to_be_hidden()
                page.keyboard.press("Space")
                expect(card).to_have_attribute("data-state", "back")
                expect(page.locator(".review-back")).to_be_visible()
                expect(page.locator(".grade-btn")).to_have_count(4)
                expect(page.locator(".grade-btn").nth(2)).to_contain_text(re.compile(r"Good · \d+(m|h|d)"))
                if i == 0:
                    shots(page, tmp_path, "03-review-back")
                page.keyboard.press(str(rating))
                expect(page.locator("[data-count-done]")).to_have_text(str(i + 1))
                graded.append(card_id)
                assert ReviewLog.objects.filter(card_id=card_id).count() == 1, f"card {card_id} not graded once"
            assert len(set(graded)) == 5
            logs = ReviewLog.objects.filter(owner=user).order_by("pk")
            assert [log.rating for log in logs] == PLAN
            assert all(log.duration_ms and log.duration_ms > 0 for log in logs)

            # U undoes the last grade: that card is shown again, new.
            page.keyboard.press("u")
            expect(page.locator("[data-count-done]")).to_have_text("4")
            expect(page.locator(".review-card")).to_have_attribute("data-card", str(graded[-1]))
            expect(page.get_by_role("status")).to_have_text("Undone.")
            shots(page, tmp_path, "04-review-after-undo")
            assert ReviewLog.objects.filter(owner=user).count() == 4
            assert not ReviewLog.objects.filter(card_id=graded[-1]).exists()
            undone = Flashcard.objects.get(pk=graded[-1])
            assert (undone.due_at, undone.review_count) == (None, 0)
            session = StudySession.objects.get(user=user, session_type="flashcards")
            assert session.items_completed == 4
            assert session.metadata["average_rating"] == 3.0  # (4 + 3 + 4 + 1) / 4

            assert page.evaluate("window.__reviewMarker") == "still the same page", "the page reloaded"
            assert navigations == [], f"the page reloaded: {navigations}"

            # The subject page: the cards now due after today (the Easy ones) have left "Due today".
            end_of_today = start_of_day(timezone.now()) + timedelta(days=1)
            gone = Flashcard.objects.filter(pk__in=graded[:4], due_at__gte=end_of_today).count()
            assert gone >= 2  # the two Easy cards; Good (10 min) and Again (1 min) come back today
            page.goto(f"{base}/subjects/{subject.pk}/")
            assert _due_today(page) == before - gone
            page.goto(f"{base}/subjects/")
            expect(page.locator(f"#subject-{subject.pk} dt:text-is('Cards due') + dd")).to_have_text(str(before - gone))
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
            print(server_log.read_text()[-4000:])
            print(worker_log.read_text()[-4000:])
            raise
        finally:
            context.close()
            browser.close()
