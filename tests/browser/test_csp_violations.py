"""The Content-Security-Policy in real Chromium: the main pages, and the scripts and htmx swaps they run, cause no
violation (``securitypolicyviolation`` events) and no console error; a forbidden inline style is caught."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.chat import services as chat
from apps.chat.tests.helpers import make_lecture
from tests.browser.helpers import PHONE, log_in
from tests.factories import FlashcardFactory, GeneratedDocumentFactory, LectureFactory, SubjectFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser, pytest.mark.slow]

COLLECT = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  var where = (e.sourceFile || "") + ":" + e.lineNumber;
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + where);
});
"""


def _seed():
    user = UserFactory(username="csp")
    subject = SubjectFactory(user=user, name="Biology", color="#0891b2")
    lecture = make_lecture(user, subject, name="Cell Biology")
    LectureFactory(owner=user, subject=subject, name="Still reading", status="processing", progress_percent=40)
    conversation = chat.start_conversation(actor=user, lecture=lecture)
    chat.ask(user, conversation, "Where does photosynthesis take place?")  # offline: passages with pills
    FlashcardFactory.create_batch(3, lecture=lecture)
    quiz = GeneratedDocumentFactory(lecture=lecture)
    return user, subject, lecture, conversation, quiz


def test_main_pages_run_without_csp_violations_or_console_errors(offline_env, page, app_server):
    # In a thread of its own: the answer runs an event loop, and Playwright's sync API holds this thread's.
    with ThreadPoolExecutor(1) as pool:
        user, subject, lecture, conversation, quiz = pool.submit(_seed).result()
    problems = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.add_init_script(COLLECT)

    def visit(path):
        page.goto(app_server + path)
        page.wait_for_load_state("networkidle")
        problems.extend(f"{path}: {v}" for v in page.evaluate("window.__csp"))

    visit(reverse("home"))
    visit(reverse("account_login"))
    log_in(page, app_server, user.username)
    problems.extend(page.evaluate("window.__csp"))

    # The subject list: the dialog opens and closes through data attributes (no inline handlers).
    visit(reverse("subjects:list"))
    page.get_by_role("button", name="New subject").first.click()
    dialog = page.locator("dialog#new-subject")
    expect(dialog).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "id_name"
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    page.get_by_role("button", name="New subject").first.click()
    dialog.locator("input[name=name]").fill("Chemistry")
    dialog.get_by_role("button", name="Create subject").click()
    expect(page.locator(".subject-card", has_text="Chemistry")).to_be_visible()
    expect(dialog).to_be_hidden()  # closed by the HX-Trigger event, as hx-on did before

    visit(reverse("subjects:detail", args=[subject.pk]))
    expect(page.locator("#realtime[data-state=open]")).to_have_count(1)  # the websocket passed connect-src
    visit(reverse("lectures:detail", args=[lecture.pk]))
    visit(reverse("lectures:page", args=[lecture.pk, 2]))

    # The chat: an offline answer with pills; a pill opens the page in the side panel (an htmx swap).
    visit(reverse("chat:detail", args=[conversation.pk]))
    page.locator("a.citation").first.click()
    expect(page.locator("#page-panel-body")).to_contain_text(re.compile(r"\w"))
    page.keyboard.press("Escape")

    visit(reverse("flashcards:review"))
    visit(reverse("documents:take", args=[quiz.pk]))
    visit(reverse("study:dashboard"))
    expect(page.locator("canvas").first).to_be_visible()  # Chart.js drew without inline script
    visit(reverse("accounts:profile"))

    # The phone layout: the menu toggles from app.js.
    page.set_viewport_size(PHONE)
    visit(reverse("subjects:list"))
    page.locator("[data-nav-toggle]").click()
    expect(page.locator("[data-nav].is-open")).to_have_count(1)
    problems.extend(page.evaluate("window.__csp"))

    assert problems == []


def test_the_collector_sees_what_the_policy_blocks(page, app_server):
    """The assertion above can fail: an injected <style> element is blocked and reported."""
    page.add_init_script(COLLECT)
    page.goto(app_server + reverse("home"))
    directive = page.evaluate(
        """() => new Promise((resolve) => {
          document.addEventListener("securitypolicyviolation", (e) => resolve(e.violatedDirective));
          const style = document.createElement("style");
          style.textContent = "body { color: red }";
          document.head.appendChild(style);
        })"""
    )
    assert directive.startswith("style-src")
    assert any(v.startswith("style-src") for v in page.evaluate("window.__csp"))
