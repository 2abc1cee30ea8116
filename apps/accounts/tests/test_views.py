import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from apps.accounts.models import Profile
from tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["accounts:profile", "accounts:delete"])
def test_anonymous_is_sent_to_log_in(anon_client, name):
    response = anon_client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["accounts:profile", "accounts:delete"])
def test_each_user_sees_only_their_own_account(owner_client, other_client, user, other_user, name):
    assert user.username in owner_client.get(reverse(name)).content.decode() or name == "accounts:delete"
    html = other_client.get(reverse(name)).content.decode()
    assert user.username not in html


def test_profile_is_created_with_the_user(user):
    assert Profile.objects.get(user=user).srs_algorithm == "fsrs"


def test_profile_saves_name_email_and_algorithm(owner_client, user):
    response = owner_client.post(
        reverse("accounts:profile"), {"full_name": "Ada Lovelace", "email": "ada@example.org", "srs_algorithm": "sm2"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "ada@example.org"
    assert user.profile.full_name == "Ada Lovelace"
    assert user.profile.srs_algorithm == "sm2"


def test_profile_rejects_an_email_taken_by_another_account(owner_client, other_user):
    response = owner_client.post(
        reverse("accounts:profile"), {"full_name": "", "email": other_user.email.upper(), "srs_algorithm": "fsrs"}
    )
    assert response.status_code == 200
    assert "already uses this email" in response.content.decode()


def test_delete_account_needs_the_password(owner_client, user):
    response = owner_client.post(reverse("accounts:delete"), {"password": "wrong"})
    assert response.status_code == 200
    assert get_user_model().objects.filter(pk=user.pk).exists()


def test_delete_account_removes_everything(owner_client, user, password, settings, django_capture_on_commit_callbacks):
    subject = SubjectFactory(user=user)
    folder = settings.MEDIA_ROOT / "uploads" / str(user.pk)
    folder.mkdir(parents=True, exist_ok=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("accounts:delete"), {"password": password})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert not type(subject).objects.filter(pk=subject.pk).exists()
    assert not folder.exists()
