import pytest
from django.urls import reverse

from apps.subjects.models import Subject
from tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db

OWNED_VIEWS = ["subjects:detail", "subjects:edit", "subjects:delete"]


@pytest.mark.parametrize("name", OWNED_VIEWS)
def test_owner_sees_their_subject_pages(owner_client, subject, name):
    response = owner_client.get(reverse(name, args=[subject.pk]))
    assert response.status_code == 200
    assert subject.name in response.content.decode()


@pytest.mark.parametrize("name", OWNED_VIEWS)
def test_another_user_gets_404(other_client, subject, name):
    assert other_client.get(reverse(name, args=[subject.pk])).status_code == 404
    assert other_client.post(reverse(name, args=[subject.pk]), {"name": "hijack"}).status_code == 404
    subject.refresh_from_db()
    assert subject.name == "Algorithms"


@pytest.mark.parametrize("name", OWNED_VIEWS)
def test_anonymous_is_sent_to_log_in(anon_client, subject, name):
    url = reverse(name, args=[subject.pk])
    response = anon_client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["subjects:list", "subjects:create"])
def test_list_and_create_require_login(anon_client, name):
    response = anon_client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_list_shows_only_own_subjects(owner_client, subject, other_user):
    SubjectFactory(user=other_user, name="Someone else's secret")
    html = owner_client.get(reverse("subjects:list")).content.decode()
    assert "Algorithms" in html
    assert "secret" not in html


def test_list_shows_an_empty_state(owner_client):
    html = owner_client.get(reverse("subjects:list")).content.decode()
    assert "No subjects yet" in html


def test_it_creates_a_subject(owner_client, user):
    response = owner_client.post(
        reverse("subjects:create"), {"name": "  Linear   Algebra ", "color": "#ff5733", "icon": "calculator"}
    )
    subject = Subject.objects.get(user=user)
    assert response.status_code == 302
    assert subject.name == "Linear Algebra"
    assert subject.color == "#ff5733"


def test_htmx_create_returns_the_new_card_and_a_fresh_form(owner_client, user, htmx_headers):
    response = owner_client.post(
        reverse("subjects:create"), {"name": "Physics", "color": "#112233", "icon": "flask"}, **htmx_headers
    )
    html = response.content.decode()
    assert response.status_code == 200
    subject = Subject.objects.get(user=user, name="Physics")
    assert f'id="subject-{subject.pk}"' in html
    assert 'id="subject-form"' in html and 'hx-swap-oob="true"' in html


def test_it_rejects_duplicate_name_case_insensitively(owner_client, subject):
    response = owner_client.post(reverse("subjects:create"), {"name": "algorithms", "color": "#000000", "icon": "book"})
    assert response.status_code == 200
    assert "already have a subject" in response.content.decode()
    assert Subject.objects.filter(user=subject.user).count() == 1


def test_htmx_duplicate_retargets_the_form(owner_client, subject, htmx_headers):
    response = owner_client.post(
        reverse("subjects:create"), {"name": "Algorithms", "color": "#000000", "icon": "book"}, **htmx_headers
    )
    assert response["HX-Retarget"] == "#subject-form"
    assert "already have a subject" in response.content.decode()


def test_the_same_name_is_fine_for_another_user(other_client, subject, other_user):
    response = other_client.post(reverse("subjects:create"), {"name": "Algorithms", "color": "#000000", "icon": "book"})
    assert response.status_code == 302
    assert Subject.objects.filter(user=other_user, name="Algorithms").exists()


def test_it_rejects_a_bad_colour(owner_client, user):
    response = owner_client.post(reverse("subjects:create"), {"name": "Art", "color": "red", "icon": "book"})
    assert response.status_code == 200
    assert not Subject.objects.filter(user=user).exists()


def test_inline_rename_returns_the_card(owner_client, subject, htmx_headers):
    edit_form = owner_client.get(reverse("subjects:edit", args=[subject.pk]), **htmx_headers)
    assert f'hx-post="{reverse("subjects:edit", args=[subject.pk])}"' in edit_form.content.decode()
    response = owner_client.post(
        reverse("subjects:edit", args=[subject.pk]),
        {"name": "Algorithms II", "color": "#123456", "icon": "code", "description": "graphs"},
        **htmx_headers,
    )
    subject.refresh_from_db()
    assert subject.name == "Algorithms II"
    assert "Algorithms II" in response.content.decode()
    assert "<html" not in response.content.decode()


def test_rename_to_an_existing_name_is_a_form_error(owner_client, subject, user):
    SubjectFactory(user=user, name="Databases")
    response = owner_client.post(
        reverse("subjects:edit", args=[subject.pk]), {"name": "DATABASES", "color": "#123456", "icon": "code"}
    )
    assert response.status_code == 200
    assert "already have a subject" in response.content.decode()
    subject.refresh_from_db()
    assert subject.name == "Algorithms"


def test_delete_asks_for_confirmation_first(owner_client, subject):
    html = owner_client.get(reverse("subjects:delete", args=[subject.pk])).content.decode()
    assert "cannot be undone" in html
    assert Subject.objects.filter(pk=subject.pk).exists()


def test_delete_removes_the_subject(owner_client, subject):
    response = owner_client.post(reverse("subjects:delete", args=[subject.pk]))
    assert response.status_code == 302
    assert not Subject.objects.filter(pk=subject.pk).exists()


def test_htmx_delete_returns_nothing_to_swap(owner_client, subject, htmx_headers):
    response = owner_client.post(reverse("subjects:delete", args=[subject.pk]), **htmx_headers)
    assert response.status_code == 200
    assert response.content == b""
    assert "subjectDeleted" in response["HX-Trigger"]
