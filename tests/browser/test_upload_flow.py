"""Upload a deck in the browser and watch its progress bar reach completed over the websocket, no reload."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, SubjectFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _log_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/subjects/$"))


def test_upload_a_deck_and_watch_it_complete(page, app_server, app_worker, fixtures_dir):
    user = UserFactory(username="lin")
    subject = SubjectFactory(user=user, name="Programming")
    _log_in(page, app_server, "lin")
    page.goto(f"{app_server}/subjects/{subject.pk}/")
    expect(page.locator("#realtime[data-state=open]")).to_have_count(1, timeout=10_000)
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)

    page.set_input_files("#file-input", str(fixtures_dir / "lectures/py4e_Pythonlearn-02-Expressions.pdf"))

    row = page.locator(".lecture-row", has_text="py4e Pythonlearn-02-Expressions")
    expect(row).to_be_visible()
    seen_progress = False
    for _ in range(600):
        status = row.locator(".lecture-status").get_attribute("data-status")
        if status == "processing" and row.locator(".progress-bar").count():
            seen_progress = True
        if status in ("completed", "failed"):
            break
        page.wait_for_timeout(100)
    expect(row.locator(".lecture-status")).to_have_attribute("data-status", "completed", timeout=120_000)
    expect(row.get_by_text("35 pages")).to_be_visible()
    assert seen_progress, "the progress bar never showed while processing"
    assert navigations == [], f"the page reloaded: {navigations}"


def test_a_rejected_file_shows_a_clear_message(page, app_server, tmp_path):
    user = UserFactory(username="kim")
    subject = SubjectFactory(user=user, name="History")
    _log_in(page, app_server, "kim")
    page.goto(f"{app_server}/subjects/{subject.pk}/")
    junk = tmp_path / "virus.pdf"
    junk.write_bytes(b"MZ\x90\x00" + bytes(range(256)) * 8)
    page.set_input_files("#file-input", str(junk))
    expect(page.locator(".upload-item.is-error")).to_contain_text("not a file type we can read")
    expect(page.locator(".lecture-row")).to_have_count(0)
