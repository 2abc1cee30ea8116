import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_sign_up_then_log_in_with_username_or_email(client):
    response = client.post(
        reverse("account_signup"),
        {
            "username": "grace",
            "email": "grace@example.org",
            "password1": "a-Long-unusual-pass-42",
            "password2": "a-Long-unusual-pass-42",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="grace")
    assert user.password.startswith("md5$") or user.password.startswith("argon2")
    client.logout()
    for login in ("grace", "grace@example.org"):
        response = client.post(reverse("account_login"), {"login": login, "password": "a-Long-unusual-pass-42"})
        assert response.status_code == 302, login
        client.logout()


def test_sign_up_rejects_a_weak_password(client):
    response = client.post(
        reverse("account_signup"),
        {"username": "weak", "email": "weak@example.org", "password1": "123", "password2": "123"},
    )
    assert response.status_code == 200
    assert not get_user_model().objects.filter(username="weak").exists()


def test_password_reset_sends_an_email(client, user):
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "password" in mail.outbox[0].subject.lower()


def test_production_settings_use_argon2():
    from smartnotes.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
