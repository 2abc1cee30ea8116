"""A past exam in the browser: upload it, wait for its questions, fix the split (merge, split with "---",
relabel), answer it from the subject's lectures (four reveal.js decks; offline, no AI model configured), read
the answers with their page citations and download them as Word and PDF."""

import re
import subprocess
import zipfile

import pytest
from playwright.sync_api import expect, sync_playwright

from apps.documents.models import DocType, GeneratedDocument
from apps.lectures.models import Lecture, LectureRole
from apps.lectures.pipeline.detect import detect_kind
from apps.lectures.tests.helpers import ingest_now, upload_file
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.helpers import LAPTOP, log_in, shots
from tests.factories import SubjectFactory, UserFactory
from tests.processes import running_server, running_worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser, pytest.mark.slow]

DECKS = ("pdr_01-cpp.html", "pdr_02-lists.html", "pdr_03-numbers.html", "pdr_04-arrays-bigoh.html")
EXAM = "exams/pdr_exam1-f21.pdf"


def _ingest_decks(user, subject, fixtures_dir) -> list[Lecture]:
    lectures = []
    for name in DECKS:
        path = fixtures_dir / "lectures" / name
        assert detect_kind(path) == "html", f"{name} is not read as HTML"
        lecture = ingest_now(upload_file(user, subject, path))
        assert lecture.status == "completed", (name, lecture.error_message)
        assert lecture.page_count >= 10, (name, lecture.page_count)
        lectures.append(lecture)
    return lectures


def _stored_questions(exam) -> list[dict]:
    exam.refresh_from_db()
    return exam.metadata.get("exam_questions", [])


def test_answer_a_past_paper_from_the_lectures(fixtures_dir, tmp_path):
    user = UserFactory(username="pat")
    subject = SubjectFactory(user=user, name="Program and Data Representation")
    decks = _ingest_decks(user, subject, fixtures_dir)
    deck_ids = {lecture.pk for lecture in decks}

    server_log, worker_log = tmp_path / "daphne.log", tmp_path / "worker.log"
    # Chromium starts only now: Playwright's loop in this thread would keep the in-process ingestion above from
    # pushing its progress over the channel layer.
    with (
        running_server(server_log) as base,
        running_worker(worker_log, WORKER_PROCESSES="1"),
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport=LAPTOP, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(20_000)
        try:
            log_in(page, base, "pat")
            page.goto(f"{base}/subjects/{subject.pk}/")

            # Upload the exam with the "Past papers" form; it lands on the exam page, which polls until read.
            exams = page.locator("#exams")
            exams.locator("#exam-file").set_input_files(str(fixtures_dir / EXAM))
            exams.get_by_role("button", name="Upload an exam").click()
            expect(page).to_have_url(re.compile(r"/documents/exams/\d+/$"))
            exam = Lecture.objects.get(subject=subject, role=LectureRole.EXAM)
            assert page.url.endswith(f"/documents/exams/{exam.pk}/")
            page.evaluate("window.__examMarker = 'still the same page'")
            cards = page.locator(".exam-question-edit")
            expect(cards.first).to_be_visible(timeout=120_000)
            assert page.evaluate("window.__examMarker") == "still the same page", "the exam page reloaded"
            original = _stored_questions(exam)
            assert [q["label"] for q in original] == [str(n) for n in range(1, 14)]
            expect(cards).to_have_count(13)
            expect(page.locator("#exam-questions h2")).to_contain_text("(13)")

            # Merge by mistake: questions 2 and 3 become one.
            cards.nth(1).get_by_role("button", name="Merge with next").click()
            expect(cards).to_have_count(12)
            merged = page.locator("#text-1")
            expect(merged).to_have_value(re.compile(r"segfault with references.*statically-allocated", re.S))
            expect(page.locator("#points-1")).to_have_value("6")
            assert [q["label"] for q in _stored_questions(exam)][:3] == ["1", "2", "4"]

            # ...and split it again by typing a line "---" where question 3 starts, then saving.
            start = merged.input_value().index("Briefly, what is the main difference")
            merged.click()
            merged.evaluate("(el, at) => el.setSelectionRange(at, at)", start)
            page.keyboard.type("---\n")
            expect(merged).to_have_value(re.compile(r"\n---\nBriefly, what is the main difference"))
            page.get_by_role("button", name="Save changes").click()
            expect(cards).to_have_count(13)
            expect(page.locator("#text-1")).not_to_have_value(re.compile("statically-allocated"))
            expect(page.locator("#text-2")).to_have_value(re.compile(r"^Briefly, what is the main difference"))
            expect(page.locator("#label-2")).to_have_value("2-2")

            # Relabel the new half "3" (and fix the points) and save.
            page.fill("#label-2", "3")
            page.fill("#points-1", "3")
            page.fill("#points-2", "3")
            page.get_by_role("button", name="Save changes").click()
            expect(page.locator("#messages")).to_contain_text("Questions saved.")
            fixed = _stored_questions(exam)
            assert [q["label"] for q in fixed] == [str(n) for n in range(1, 14)]
            assert [q["points"] for q in fixed] == [q["points"] for q in original]
            assert fixed[2]["text"].startswith("Briefly, what is the main difference")
            assert "---" not in fixed[1]["text"] and "statically" not in fixed[1]["text"]
            shots(page, tmp_path, "01-exam-questions")

            # Answer from the lectures: the answers document appears and becomes ready.
            page.get_by_role("button", name="Answer from my lectures").click()
            expect(page).to_have_url(re.compile(rf"/documents/exams/{exam.pk}/$"))
            row = page.locator("#documents .document-row", has_text="version 1")
            expect(row).to_be_visible()
            status = row.locator(".document-status")
            expect(status).to_have_attribute("data-status", "completed", timeout=150_000)
            expect(status.locator(".badge")).to_have_text("Ready")
            document = GeneratedDocument.objects.get(lecture=exam, doc_type=DocType.PAST_PAPER)
            page.screenshot(path=str(tmp_path / "02-exam-answered.png"), full_page=True)

            # The answers: every question, citations into the decks' pages, "not covered" where it is so.
            status.get_by_role("link", name="View").click()
            expect(page).to_have_url(re.compile(rf"/documents/{document.pk}/$"))
            articles = page.locator(".past-paper-view article")
            expect(articles).to_have_count(13)
            for i, q in enumerate(fixed):
                heading = f"Question {q['label']}"
                if q["points"]:
                    heading += f" [{q['points']} points]"
                expect(articles.nth(i).locator("h2")).to_have_text(heading)
                expect(articles.nth(i).locator(".exam-question")).to_contain_text(q["text"][:30])
            cited, hrefs = 0, []
            for i in range(13):
                links = articles.nth(i).locator("a.citation")
                if links.count():
                    cited += 1
                    hrefs += [links.nth(k).get_attribute("href") for k in range(links.count())]
            assert cited >= 3, f"only {cited} answers carry citations"
            for href in hrefs:
                m = re.fullmatch(r"/lectures/(\d+)/pages/(\d+)/", href)
                assert m, href
                assert int(m.group(1)) in deck_ids, href
            not_covered = page.locator(".past-paper-view article", has_text="do not cover")
            assert not_covered.count() >= 1, "every question was answered: the honor pledge is not in the notes"
            assert not_covered.count() + cited == 13
            shots(page, tmp_path, "03-answers-view")

            # A citation opens that deck page.
            first = page.locator(".past-paper-view a.citation").first
            href = first.get_attribute("href")
            first.click()
            expect(page).to_have_url(base + href)
            expect(page.locator("#page-view h1")).to_contain_text("page " + href.rstrip("/").rsplit("/", 1)[1])
            page.go_back()

            # Downloads through the page: the Word file and the PDF built on demand.
            with page.expect_download() as info:
                page.locator(".document-status").get_by_role("link", name="Word").click()
            docx = tmp_path / info.value.suggested_filename
            info.value.save_as(docx)
            assert docx.suffix == ".docx" and docx.stat().st_size > 0
            with zipfile.ZipFile(docx) as zf:
                body = zf.read("word/document.xml").decode("utf-8")
            assert "Question 13" in body

            with page.expect_download() as info:
                page.locator(".document-status").get_by_role("link", name="PDF").click()
            assert "format=pdf" in info.value.url
            pdf = tmp_path / info.value.suggested_filename
            info.value.save_as(pdf)
            assert pdf.suffix == ".pdf" and pdf.stat().st_size > 0
            text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
            for q in fixed:
                assert f"Question {q['label']}" in text, q["label"]
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
            print(server_log.read_text()[-4000:])
            print(worker_log.read_text()[-4000:])
            raise
        finally:
            context.close()
            browser.close()
