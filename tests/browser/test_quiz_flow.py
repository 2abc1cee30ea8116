"""Make a quiz from an ingested lecture, watch it become ready over the websocket, take it with the keyboard
only, and review the result (offline generation: no AI model configured)."""

import re

import pytest
from playwright.sync_api import expect, sync_playwright

from apps.documents.models import DocType, GeneratedDocument, QuizAttempt
from apps.lectures.tests.helpers import ingest_now, upload_file
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.helpers import LAPTOP, log_in, shots
from tests.factories import SubjectFactory, UserFactory
from tests.processes import running_server, running_worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser, pytest.mark.slow]

LETTERS = "ABCD"


def test_make_a_quiz_take_it_with_the_keyboard_and_review_it(fixtures_dir, tmp_path):
    user = UserFactory(username="quinn")
    subject = SubjectFactory(user=user, name="Python")
    lecture = ingest_now(upload_file(user, subject, fixtures_dir / "lectures/py4e_Pythonlearn-02-Expressions.pdf"))
    assert lecture.status == "completed", lecture.error_message

    # The worker starts after the in-process ingestion, so the upload's own queued task finds nothing to do.
    server_log, worker_log = tmp_path / "daphne.log", tmp_path / "worker.log"
    # Chromium starts only now: Playwright's loop in this thread would keep the in-process ingestion above from
    # pushing its progress over the channel layer.
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
            log_in(page, base, "quinn")
            page.goto(f"{base}/lectures/{lecture.pk}/")
            expect(page.locator("#realtime[data-state=open]")).to_have_count(1, timeout=10_000)
            page.evaluate("window.__quizMarker = 'still the same page'")
            navigations = []
            page.on("framenavigated", lambda f: navigations.append(f.url) if f == page.main_frame else None)

            # Five questions, "Make a quiz": the row appears at once (htmx), then its status follows the worker.
            page.fill(f"#quiz-n-{lecture.pk}", "5")
            page.get_by_role("button", name="Make a quiz").click()
            row = page.locator("#document-list .document-row", has_text="Quiz · version 1")
            expect(row).to_be_visible()
            expect(row).to_contain_text("5 questions")
            status = row.locator(".document-status")
            seen = set()
            for _ in range(1200):
                seen.add(status.get_attribute("data-status"))
                if seen & {"completed", "failed"}:
                    break
                page.wait_for_timeout(100)
            expect(status).to_have_attribute("data-status", "completed", timeout=120_000)
            expect(status.locator(".badge")).to_have_text("Ready")
            assert seen & {"pending", "processing"}, f"never saw the quiz being made: {seen}"
            assert page.evaluate("window.__quizMarker") == "still the same page", "the page reloaded"
            assert navigations == [], f"the page reloaded: {navigations}"
            page.screenshot(path=str(tmp_path / "01-lecture-quiz-ready.png"), full_page=True)

            document = GeneratedDocument.objects.get(lecture=lecture, doc_type=DocType.QUIZ)
            questions = document.content["questions"]
            assert len(questions) == 5
            assert document.made_offline
            assert all(len(q["options"]) == 4 for q in questions)

            # Take it: one question at a time, keyboard only. Right, right, wrong, right, wrong -> 60 %.
            status.get_by_role("link", name="Take the quiz").click()
            expect(page).to_have_url(re.compile(rf"/documents/{document.pk}/take/$"))
            expect(page.locator(".quiz-question:visible")).to_have_count(1)
            shots(page, tmp_path, "02-quiz-take")
            plan = [True, True, False, True, False]
            picks = []
            for i, (question, right) in enumerate(zip(questions, plan, strict=True)):
                current = page.locator(f"#question-{i + 1}")
                expect(current).to_be_visible()
                expect(page.locator("[data-quiz-counter]")).to_have_text(f"Question {i + 1} of 5")
                expect(current.locator("legend")).to_contain_text(question["question"][:40])
                pick = question["correct"] if right else (question["correct"] + 1) % 4
                picks.append(pick)
                page.keyboard.press(LETTERS[pick].lower())
                expect(current.locator(f"input[data-letter={LETTERS[pick]}]")).to_be_checked()
                expect(page.locator("[data-quiz-answered]")).to_have_text(f"{i + 1} answered")
                if i == 3:
                    shots(page, tmp_path, "03-quiz-take-answered")
                page.keyboard.press("Enter")

            # Enter after the last question submitted the form.
            expect(page).to_have_url(re.compile(rf"/documents/{document.pk}/attempts/\d+/$"))
            attempt = QuizAttempt.objects.get(document=document)
            assert attempt.answers == picks
            assert (attempt.correct, attempt.total, attempt.score) == (3, 5, 60.0)
            expect(page.locator("h1")).to_have_text(f"You scored {attempt.score:.0f} %")
            assert page.url.endswith(f"/attempts/{attempt.pk}/")
            expect(page.get_by_text("3 of 5 correct")).to_be_visible()

            # The review: every question, its right answer marked, the wrong picks marked as yours.
            items = page.locator(".quiz-review-item")
            expect(items).to_have_count(5)
            for i, (question, right) in enumerate(zip(questions, plan, strict=True)):
                item = items.nth(i)
                expect(item).to_contain_text(question["question"][:40])
                correct = item.locator(".quiz-option.is-correct")
                expect(correct).to_have_count(1)
                expect(correct).to_contain_text(question["options"][question["correct"]])
                expect(correct).to_contain_text("right answer")
                expect(item).to_have_class(re.compile(r"\bis-right\b" if right else r"\bis-wrong\b"))
                if not right:
                    expect(item.locator(".quiz-option.is-picked")).to_contain_text("your answer")
            shots(page, tmp_path, "04-quiz-result")

            # A citation ("… p. N") opens that page of the lecture.
            citation = page.locator(".quiz-review a.citation").first
            text = citation.text_content()
            number = int(re.search(r"p\. (\d+)$", text.strip()).group(1))
            citation.click()
            expect(page).to_have_url(re.compile(rf"/lectures/{lecture.pk}/pages/{number}/$"))
            expect(page.locator("#page-view h1")).to_contain_text(f"page {number}")
            expect(page.locator("#page-view .page-text")).not_to_be_empty()
            page.screenshot(path=str(tmp_path / "05-cited-page.png"), full_page=True)

            # "All on one page" shows every question at once.
            page.goto(f"{base}/documents/{document.pk}/take/")
            page.get_by_role("link", name="All on one page").click()
            expect(page).to_have_url(re.compile(r"\?mode=all$"))
            expect(page.locator(".quiz-question:visible")).to_have_count(5)
            for question in questions:
                expect(page.get_by_text(question["question"][:40]).first).to_be_visible()
            expect(page.locator("[data-quiz-submit]")).to_be_visible()
            shots(page, tmp_path, "06-quiz-all-on-one-page")
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
            print(server_log.read_text()[-4000:])
            print(worker_log.read_text()[-4000:])
            raise
        finally:
            context.close()
            browser.close()
