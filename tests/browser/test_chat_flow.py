"""The chat in a real browser: headless Chromium against a real Daphne process, the fake model streaming."""

import os
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.lectures.tests.helpers import ingest_now, upload_file
from tests.factories import PASSWORD
from tests.processes import running_server

pytestmark = [pytest.mark.django_db(transaction=True, databases="__all__"), pytest.mark.browser, pytest.mark.slow]


def test_ask_watch_the_answer_stream_and_open_a_citation(browser, fake_openai, fixtures_dir, tmp_path, user, subject):
    lecture = ingest_now(upload_file(user, subject, fixtures_dir / "lectures/py4e_Pythonlearn-02-Expressions.pdf"))
    assert lecture.status == "completed", lecture.error_message
    words = " ".join(f"word{i}" for i in range(40))
    fake_openai.reply = f"Operator precedence decides which operator runs first [{lecture.name}, p. 19]. {words} done."
    fake_openai.token_delay_s = 0.05  # ~2.5 s of streaming: partial text is observable

    log = tmp_path / "daphne.log"
    env = {"OPENAI_BASE_URL": fake_openai.base_url, "CHAT_MODEL": fake_openai.chat_model, "OPENAI_API_KEY": "x"}
    username = user.username
    with running_server(log, **env) as base_url:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            # Log in through the real form.
            page.goto(base_url + reverse("account_login"))
            page.fill("input[name=login]", username)
            page.fill("input[name=password]", PASSWORD)
            page.click("form button[type=submit]")
            page.wait_for_url(re.compile(r".*/subjects/.*"))

            # Lecture page → Chat → new conversation.
            page.goto(base_url + reverse("lectures:detail", args=[lecture.pk]))
            page.click(f"a[href='{reverse('chat:lecture', args=[lecture.pk])}']")
            page.click("text=New conversation")
            page.wait_for_selector("#chat-question")
            # Waits go through locators: wait_for_function evaluates a string, which the page's CSP forbids.
            expect(page.locator("#chat-state[data-state=ready]")).to_have_count(1, timeout=15000)

            # "/" focuses the box (from anywhere on the page); Enter sends.
            page.evaluate("document.activeElement.blur()")
            page.keyboard.press("/")
            assert page.evaluate("document.activeElement.id") == "chat-question"
            page.keyboard.type("What is operator precedence?")
            page.keyboard.press("Enter")

            # The answer streams in: partial text while the input is disabled...
            page.wait_for_selector(".chat-msg.user >> text=What is operator precedence?")
            expect(page.locator(".chat-stream")).to_contain_text("word3", timeout=30000)
            partial = page.text_content(".chat-stream")
            assert "Operator precedence decides" in partial and "done." not in partial
            assert page.is_disabled("#chat-question")

            # ...then the finished answer, rendered, with a citation pill; the input is back.
            page.wait_for_selector(".chat-msg.assistant[data-status=complete]", timeout=30000)
            assert "done." in page.text_content(".chat-msg.assistant .chat-body")
            assert page.is_enabled("#chat-question")
            assert page.text_content("#conversation-title-text") == "What is operator precedence?"

            # A citation opens the page view, with its thumbnail, in the side panel.
            pill = page.locator(".chat-msg.assistant .chat-body a.citation").first
            assert "p. 19" in pill.text_content()
            pill.click()
            page.wait_for_selector("#page-panel[open] #page-view img", timeout=15000)
            if os.environ.get("CHAT_SCREENSHOTS"):
                page.screenshot(path=os.path.join(os.environ["CHAT_SCREENSHOTS"], "panel.png"))
            assert "page 19" in page.text_content("#page-panel")
            image = page.locator("#page-panel #page-view img")
            expect(image).to_have_js_property("complete", True, timeout=15000)
            expect(image).not_to_have_js_property("naturalWidth", 0)
            src = page.get_attribute("#page-panel #page-view img", "src")
            assert src == reverse("lectures:thumbnail", args=[lecture.pk, 19])
            page.keyboard.press("Escape")
            page.wait_for_selector("#page-panel:not([open])", state="attached")

            # Reloading shows the saved conversation.
            page.reload()
            page.wait_for_selector(".chat-msg.assistant[data-status=complete]")
            assert "done." in page.text_content(".chat-msg.assistant")
            if os.environ.get("CHAT_SCREENSHOTS"):
                page.screenshot(path=os.path.join(os.environ["CHAT_SCREENSHOTS"], "laptop.png"), full_page=True)
                page.set_viewport_size({"width": 390, "height": 844})
                page.screenshot(path=os.path.join(os.environ["CHAT_SCREENSHOTS"], "phone.png"), full_page=True)
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"))
            print(log.read_text()[-4000:])
            raise
        finally:
            page.close()
