"""Browser tests: real headless Chromium (Debian's package) driven by Playwright, against a real Daphne
process and a real worker cluster on the test database."""

import os

import pytest

from tests.processes import running_server, running_worker

# Playwright's sync API keeps an event loop in this thread; the ORM calls tests make between page actions are
# still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="module")
def browser():
    # Module scope: Playwright's sync API keeps an event loop running in this thread while it is open, which
    # would break later tests that start their own loop (asyncio.run).
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    try:
        page.screenshot(path=str(tmp_path / "last.png"), full_page=True)
    finally:
        context.close()


@pytest.fixture
def app_server(transactional_db, tmp_path):
    """Daphne serving the app on a free loopback port; yields its base URL."""
    with running_server(tmp_path / "daphne.log") as url:
        yield url


@pytest.fixture
def app_worker(transactional_db, tmp_path):
    with running_worker(tmp_path / "worker.log", WORKER_PROCESSES="1") as proc:
        yield proc
