"""Steps the browser tests share: logging in and taking laptop + phone screenshots."""

import os
import re
import shutil

from playwright.sync_api import expect

from tests.factories import PASSWORD

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def log_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/subjects/$"))


def shots(page, tmp_path, name):
    """A full-page screenshot on a laptop and on a phone viewport; the laptop viewport is restored. Copies go to
    $SCREENSHOT_DIR when it is set, to look at them."""
    paths = [tmp_path / f"{name}-laptop.png", tmp_path / f"{name}-phone.png"]
    page.screenshot(path=str(paths[0]), full_page=True)
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(500)  # layouts that follow a ResizeObserver (the dashboard's charts) redraw first
    page.screenshot(path=str(paths[1]), full_page=True)
    page.set_viewport_size(LAPTOP)
    if os.environ.get("SCREENSHOT_DIR"):
        for path in paths:
            shutil.copy(path, os.environ["SCREENSHOT_DIR"])
