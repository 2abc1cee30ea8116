"""Share a lecture with a password and two views; a visitor in a fresh browser unlocks it and reads a page,
a second visitor uses the last view, a third sees the 410 page; the owner sees the count. Screenshots of
every public page on a laptop and a phone."""

import re

import pytest
from playwright.sync_api import expect, sync_playwright

from apps.lectures.tests.helpers import ingest_now, upload_file
from apps.sharing.models import ShareLink
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.helpers import LAPTOP, log_in, shots
from tests.factories import SubjectFactory, UserFactory
from tests.processes import running_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser, pytest.mark.slow]

PASSWORD = "tulip-42"


def _visitor(browser):
    context = browser.new_context(viewport=LAPTOP)  # a fresh browser: no cookies, no session
    page = context.new_page()
    page.set_default_timeout(20_000)
    return context, page


def _unlock(page, share_url):
    page.goto(share_url)
    expect(page.get_by_role("heading", name="This shared lecture is protected")).to_be_visible()
    page.fill("#share-password", PASSWORD)
    page.get_by_role("button", name="Open").click()


def test_share_with_a_password_and_two_views_then_it_is_used_up(fixtures_dir, tmp_path):
    owner = UserFactory(username="amira")
    subject = SubjectFactory(user=owner, name="Python")
    lecture = ingest_now(upload_file(owner, subject, fixtures_dir / "lectures/py4e_Pythonlearn-02-Expressions.pdf"))
    assert lecture.status == "completed", lecture.error_message
    with running_server(tmp_path / "daphne.log") as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            _flow(browser, base, lecture, tmp_path)
        finally:
            browser.close()


def _flow(browser, base, lecture, tmp_path):
    context = browser.new_context(viewport=LAPTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    page.set_default_timeout(20_000)
    visitors = []
    try:
        log_in(page, base, "amira")
        page.goto(f"{base}/lectures/{lecture.pk}/")
        links = page.locator("#share-links")
        expect(links).to_contain_text("Not shared")
        links.get_by_role("link", name="Share this lecture").click()
        page.fill("input[name=expires_in_days]", "3")
        page.fill("input[name=max_views]", "2")
        page.fill("input[name=password]", PASSWORD)
        page.get_by_label("Read the pages and ask questions answered from this lecture only").check()
        page.get_by_role("button", name="Create link").click()
        expect(page.get_by_role("heading", name=re.compile("is ready"))).to_be_visible()
        page.get_by_role("button", name="Copy link").click()
        expect(page.locator("[data-copy-label]")).to_have_text("Copied")
        share_url = page.evaluate("navigator.clipboard.readText()")
        assert share_url == page.input_value("#share-url")
        assert re.fullmatch(rf"{re.escape(base)}/s/[A-Za-z0-9_-]{{43}}/", share_url)
        shots(page, tmp_path, "share-created")

        # Visitor 1: a fresh browser unlocks the link, reads page 3 and asks the lecture a question.
        context1, v1 = _visitor(browser)
        visitors.append(context1)
        v1.goto(share_url)
        expect(v1.locator(".site-header")).not_to_contain_text("amira")
        shots(v1, tmp_path, "share-password")
        v1.fill("#share-password", "wrong guess")
        v1.get_by_role("button", name="Open").click()
        expect(v1.locator("#share-password-error")).to_have_text("That password is not right.")
        v1.fill("#share-password", PASSWORD)
        v1.get_by_role("button", name="Open").click()
        expect(v1.get_by_role("heading", name=lecture.name)).to_be_visible()
        expect(v1.locator(".nav-links")).to_have_count(0)
        v1.fill("#share-question", "What is the modulo operator?")
        v1.get_by_role("button", name="Ask").click()
        # The server loads its embedding model for the first question: allow for that.
        expect(v1.locator("#share-answers .chat-msg.assistant")).to_have_count(1, timeout=90_000)
        citation = v1.locator("#share-answers .citation").first
        expect(citation).to_have_attribute("href", re.compile(r"^/s/.+/pages/\d+/$"))
        shots(v1, tmp_path, "share-lecture")
        v1.locator("#page-3").get_by_role("link", name="Page 3").first.click()  # the page image
        expect(v1.get_by_role("heading", name=f"{lecture.name} — page 3")).to_be_visible()
        assert v1.evaluate("document.querySelector('#page-view img').naturalWidth") > 0  # the thumbnail loads
        shots(v1, tmp_path, "share-page")

        # Visitor 2 takes the second and last view.
        context2, v2 = _visitor(browser)
        visitors.append(context2)
        _unlock(v2, share_url)
        expect(v2.get_by_role("heading", name=lecture.name)).to_be_visible()

        # Visitor 3: the link is used up — the same "no longer works" page, with status 410, and no content.
        context3, v3 = _visitor(browser)
        visitors.append(context3)
        v3.goto(share_url)
        v3.fill("#share-password", PASSWORD)
        with v3.expect_response(lambda r: r.url == share_url) as answer:
            v3.get_by_role("button", name="Open").click()
        assert answer.value.status == 410
        expect(v3.get_by_role("heading", name="This link no longer works")).to_be_visible()
        expect(v3.locator("body")).not_to_contain_text(lecture.name)
        shots(v3, tmp_path, "share-gone")

        # The counted visitor keeps reading; the owner sees 2 of 2 views and the link as used up.
        v1.get_by_role("link", name="Page 4 →").click()
        expect(v1.get_by_role("heading", name=f"{lecture.name} — page 4")).to_be_visible()
        page.goto(f"{base}/share/")
        link = ShareLink.objects.get()
        row = page.locator(f"#share-link-{link.pk}")
        expect(row.locator(".share-views")).to_have_text("2 of 2")
        expect(row).to_contain_text("Used up")
        shots(page, tmp_path, "share-list")
        page.goto(f"{base}/lectures/{lecture.pk}/#share-links")
        expect(page.locator(f"#share-links #share-link-{link.pk}")).to_contain_text("Used up")
        page.locator("#share-links").scroll_into_view_if_needed()
        shots(page, tmp_path, "share-lecture-owner")
    finally:
        for visitor_context in visitors:
            visitor_context.close()
        context.close()
