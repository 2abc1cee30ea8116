"""Moderation of users in the admin: the Deactivate action ends every session and API token of the account."""

import pytest
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tests.api_clients import token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:auth_user_changelist"


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client_(client, superuser):
    client.force_login(superuser)
    return client


def _deactivate(admin_client_, *users):
    return admin_client_.post(
        reverse(CHANGELIST), {"action": "deactivate", "_selected_action": [u.pk for u in users]}, follow=True
    )


def test_deactivate_logs_the_user_out_of_browsers_and_the_api(admin_client_, user, other_user, password, owner_client):
    browser = Client()
    browser.post(reverse("account_login"), {"login": user.username, "password": password})
    api = token_client(user, password)
    other_api = token_client(other_user, password)
    assert api.get("/api/v1/subjects/").status_code == 200
    assert browser.get(reverse("subjects:list")).status_code == 200
    assert owner_client.get(reverse("subjects:list")).status_code == 200
    assert UserSession.objects.filter(user=user).count() == 2  # the browser's log-in and the API device
    browser_key = browser.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=browser_key).exists()

    response = _deactivate(admin_client_, user)

    assert "1 user(s) deactivated; their sessions and API tokens ended." in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active
    assert not UserSession.objects.filter(user=user).exists()
    refused = api.get("/api/v1/subjects/")
    assert refused.status_code == 401 and refused.json()["code"] == "token_revoked"
    assert not Session.objects.filter(session_key=browser_key).exists()
    # A session allauth never recorded (a test client's force_login) is refused too: the account is inactive.
    for client in (browser, owner_client):
        page = client.get(reverse("subjects:list"))
        assert page.status_code == 302 and reverse("account_login") in page["Location"]
    # Nobody else is touched, and their data stays.
    assert other_api.get("/api/v1/subjects/").status_code == 200
    other_user.refresh_from_db()
    assert other_user.is_active


def test_a_deactivated_user_cannot_log_in_again(admin_client_, user, password):
    from django.test import RequestFactory

    from apps.accounts import tokens

    _deactivate(admin_client_, user)

    with pytest.raises(tokens.TokenError):
        tokens.log_in(RequestFactory().post("/api/v1/auth/token"), login=user.username, password=password)


def test_the_admin_cannot_deactivate_themselves(admin_client_, superuser, user):

    response = _deactivate(admin_client_, superuser, user)

    page = response.content.decode()
    assert "You cannot deactivate your own account; it was skipped." in page
    assert "1 user(s) deactivated" in page
    superuser.refresh_from_db()
    assert superuser.is_active
    assert admin_client_.get(reverse(CHANGELIST)).status_code == 200
