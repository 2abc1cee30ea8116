"""Sign-up must not reveal whether an email address already has an account (apps/accounts/signup.py)."""

import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSPHRASE = "a-Long-unusual-pass-42"


def _sign_up(username: str, email: str) -> dict:
    """Everything a visitor can observe of one sign-up, from a fresh browser."""
    client = Client()
    client.get(reverse("account_signup"))
    mail.outbox.clear()
    response = client.post(
        reverse("account_signup"),
        {"username": username, "email": email, "password1": PASSPHRASE, "password2": PASSPHRASE},
    )
    landing = client.get(response["Location"]) if response.status_code == 302 else response
    page = landing.content.decode()
    page = re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', r"\1TOKEN", page)
    return {
        "status": response.status_code,
        "location": response.get("Location"),
        "cookies": sorted(response.cookies),
        "landing_status": landing.status_code,
        "page": page.replace(email, "EMAIL"),
        "logged_in": landing.wsgi_request.user.is_authenticated,
        "mails_to_the_address": [m.to for m in mail.outbox] == [[email]],
        "client": client,
    }


def _observable(outcome: dict) -> dict:
    return {key: value for key, value in outcome.items() if key != "client"}


@pytest.mark.parametrize("mode", ["optional", "mandatory"])
def test_sign_up_answers_the_same_whether_or_not_the_email_is_registered(settings, user, mode):
    settings.ACCOUNT_EMAIL_VERIFICATION = mode
    users_before = get_user_model().objects.count()

    fresh = _sign_up("newcomer", "newcomer@example.org")
    taken = _sign_up("someone", user.email)

    assert _observable(fresh) == _observable(taken)
    assert fresh["status"] == 302 and fresh["location"] == reverse("account_email_verification_sent")
    assert "Check your email" in fresh["page"]
    assert "already registered" not in taken["page"] and "already exists" not in taken["page"]
    assert not fresh["logged_in"] and fresh["mails_to_the_address"]
    # Only the fresh address got an account; the owner of the taken one was told someone tried.
    assert get_user_model().objects.count() == users_before + 1
    assert not get_user_model().objects.filter(username="someone").exists()


def test_the_configured_verification_mode_is_covered():
    assert django_settings.ACCOUNT_EMAIL_VERIFICATION in ("optional", "mandatory")


def test_the_owner_of_a_taken_address_is_told_and_the_newcomer_gets_a_confirmation(user):
    _sign_up("someone", user.email)
    assert "already exists" in mail.outbox[0].body
    assert "/accounts/password/reset/" in mail.outbox[0].body

    _sign_up("newcomer", "newcomer@example.org")
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_with_optional_verification_a_new_account_logs_in_before_confirming(settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    outcome = _sign_up("newcomer", "newcomer@example.org")
    client = outcome["client"]  # the same browser, with the pending confirmation in its session
    response = client.post(reverse("account_login"), {"login": "newcomer", "password": PASSPHRASE})
    assert response.status_code == 302
    assert response["Location"] == reverse(django_settings.LOGIN_REDIRECT_URL)
    assert client.get(reverse("subjects:list")).status_code == 200


def test_the_confirmation_link_logs_the_new_account_in():
    outcome = _sign_up("newcomer", "newcomer@example.org")
    link = re.search(r"https?://testserver(/accounts/confirm-email/\S+)", mail.outbox[0].body).group(1)
    client = outcome["client"]
    response = client.post(link)
    assert response.status_code == 302
    assert client.get(reverse("subjects:list")).status_code == 200
    newcomer = get_user_model().objects.get(username="newcomer")
    assert newcomer.emailaddress_set.get().verified


def test_without_verification_there_is_nothing_to_hide_behind(settings, user):
    # With ACCOUNT_EMAIL_VERIFICATION=none no mail can stand in for the answer: the form says the address is
    # taken (README, Configuration), and a new account is logged in at once.
    settings.ACCOUNT_EMAIL_VERIFICATION = "none"
    taken = _sign_up("someone", user.email)
    assert taken["status"] == 200 and "already registered" in taken["page"]
    fresh = _sign_up("newcomer", "newcomer@example.org")
    assert fresh["status"] == 302 and fresh["logged_in"]
