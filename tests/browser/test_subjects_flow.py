"""Sign up, create a subject, rename it inline, delete it — in real headless Chromium."""

import re

import pytest
from playwright.sync_api import expect

from apps.subjects.models import Subject

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_sign_up_and_manage_a_subject(page, app_server):
    page.goto(app_server + "/accounts/signup/")
    page.fill("input[name=username]", "ada")
    page.fill("input[name=email]", "ada@example.org")
    page.fill("input[name=password1]", "An-unusual-passphrase-77")
    page.fill("input[name=password2]", "An-unusual-passphrase-77")
    page.click("form button[type=submit]")
    # Sign-up never says whether the address had an account (apps/accounts/signup.py): it ends on "check your
    # email"; with optional verification the password works before the link is followed.
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.get_by_role("link", name="Log in").last.click()
    page.fill("input[name=login]", "ada")
    page.fill("input[name=password]", "An-unusual-passphrase-77")
    page.click("form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/subjects/$"))
    expect(page.get_by_text("No subjects yet")).to_be_visible()

    # Create through the dialog (HTMX): the card appears without a page load.
    page.get_by_role("button", name="New subject").first.click()
    dialog = page.locator("dialog#new-subject")
    expect(dialog).to_be_visible()
    dialog.locator("input[name=name]").fill("Linear Algebra")
    dialog.get_by_role("button", name="Create subject").click()
    card = page.locator(".subject-card", has_text="Linear Algebra")
    expect(card).to_be_visible()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text("No subjects yet")).to_have_count(0)

    # A duplicate name is a form error in the dialog, not a 500.
    page.get_by_role("button", name="New subject").first.click()
    dialog.locator("input[name=name]").fill("linear algebra")
    dialog.get_by_role("button", name="Create subject").click()
    expect(dialog.get_by_text("already have a subject")).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()

    # Rename inline.
    card.get_by_role("button", name="Edit Linear Algebra").click()
    editor = page.locator(".subject-card.is-editing")
    editor.locator("input[name=name]").fill("Linear Algebra II")
    editor.get_by_role("button", name="Save").click()
    renamed = page.locator(".subject-card", has_text="Linear Algebra II")
    expect(renamed).to_be_visible()
    expect(page.locator(".subject-card.is-editing")).to_have_count(0)
    assert Subject.objects.get().name == "Linear Algebra II"

    # Delete, after confirming in the dialog.
    renamed.get_by_role("button", name="Delete Linear Algebra II").click()
    confirm = page.locator("dialog[open]")
    expect(confirm).to_be_visible()
    confirm.get_by_role("button", name=re.compile("Delete|Confirm|OK", re.I)).click()
    expect(page.locator(".subject-card", has_text="Linear Algebra II")).to_have_count(0)
    assert not Subject.objects.exists()
