"""Every admin page renders for a superuser, and every list costs the same number of queries at any size."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core.admin import error_line
from apps.core.tests.admin_world import add_student
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MODELS = sorted(f"{model._meta.app_label}.{model._meta.model_name}" for model in admin.site._registry)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def admin_client_(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    return client


def _model(label: str):
    app_label, model_name = label.split(".")
    return next(m for m in admin.site._registry if (m._meta.app_label, m._meta.model_name) == (app_label, model_name))


def _url(label: str, view: str, *args) -> str:
    return reverse(f"admin:{label.replace('.', '_')}_{view}", args=args)


def test_every_model_of_the_project_is_in_the_admin():
    expected = {
        "auth.user",
        "accounts.profile",
        "subjects.subject",
        "lectures.lecture",
        "documents.generateddocument",
        "sharing.sharelink",
        "flashcards.flashcard",
        "flashcards.cardgeneration",
        "django_q.failure",
        "django_q.schedule",
    }
    assert expected <= set(MODELS)


@pytest.mark.parametrize("label", MODELS)
def test_list_change_and_add_pages_render(label, media, admin_client_):
    add_student()
    model = _model(label)
    response = admin_client_.get(_url(label, "changelist"))
    assert response.status_code == 200
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"no {label} row to open"
    assert admin_client_.get(_url(label, "change", obj.pk)).status_code == 200
    if admin.site._registry[model].has_add_permission(response.wsgi_request):
        assert admin_client_.get(_url(label, "add")).status_code == 200


@pytest.mark.parametrize("label", MODELS)
def test_list_queries_do_not_grow_with_rows(label, media, admin_client_, django_assert_max_num_queries):
    url = _url(label, "changelist")
    manager = _model(label)._default_manager
    add_student()
    admin_client_.get(url)  # the session and permission caches settle on a first visit
    with CaptureQueriesContext(connection) as small:
        assert admin_client_.get(url).status_code == 200
    rows_before = manager.count()
    for _ in range(4):
        add_student()
    assert manager.count() > rows_before or label == "django_q.schedule"  # schedules are fixed
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert admin_client_.get(url).status_code == 200


def test_the_user_list_shows_storage_and_counts(media, admin_client_):
    student = add_student()["user"]
    response = admin_client_.get(_url("auth.user", "changelist"), {"q": student.username})
    row = response.context["cl"].result_list[0]
    lecture_bytes = student.lectures.get().file_size
    document_bytes = student.documents.get().file_size
    assert row.storage_bytes == lecture_bytes + document_bytes > 0
    assert (row.subject_count, row.lecture_count, row.card_count) == (1, 1, 1)
    assert "Storage used" in response.content.decode()


def test_the_lecture_list_shows_status_reason_pages_read_and_cards(media, admin_client_):
    add_student()
    page = admin_client_.get(_url("lectures.lecture", "changelist")).content.decode()
    assert "1 of 2" in page
    assert "ocr_timeout: Page 2 took too long to read." in page


def test_failed_tasks_are_listed_with_their_error(media, admin_client_):
    add_student()
    page = admin_client_.get(_url("django_q.failure", "changelist")).content.decode()
    assert "ValueError: boom" in page
    assert error_line("boom : Traceback (most recent call last):\n  File x\nKeyError: 'page'\n") == "KeyError: 'page'"


def test_every_schedule_is_listed(admin_client_):
    from apps.core.schedules import SCHEDULES

    page = admin_client_.get(_url("django_q.schedule", "changelist")).content.decode()
    for name, *_ in SCHEDULES:
        assert name in page
