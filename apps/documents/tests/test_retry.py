"""POST /documents/<pk>/retry/: a failed document is queued again with a fresh start; a busy or finished one is
left alone."""

import pytest
from django.urls import reverse

from apps.documents.models import GeneratedDocument
from tests.factories import GeneratedDocumentFactory

pytestmark = pytest.mark.django_db


def _retry(client, document, **headers):
    return client.post(reverse("documents:retry", args=[document.pk]), **headers)


@pytest.fixture
def failed(lecture):
    document = GeneratedDocumentFactory(lecture=lecture, status="failed")
    GeneratedDocument.objects.filter(pk=document.pk).update(attempts=3, task_id="old-run")
    return document


def test_it_requeues_a_failed_document(owner_client, failed, queued, on_commit):
    with on_commit(execute=True):
        response = _retry(owner_client, failed)
    assert response.status_code == 302 and response["Location"] == reverse("documents:detail", args=[failed.pk])
    failed.refresh_from_db()
    assert failed.status == "pending"
    assert failed.attempts == 0
    assert failed.error_code == "" and failed.error_message == ""
    assert failed.task_id not in ("", "old-run")
    assert queued() == [("apps.documents.tasks.generate_document", (failed.pk, failed.task_id))]
    assert failed.version == 1 and GeneratedDocument.objects.count() == 1  # the same version, not a new one


def test_htmx_gets_the_status_fragment(owner_client, failed, on_commit):
    with on_commit(execute=True):
        response = _retry(owner_client, failed, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="document-{failed.pk}-status"' in html and 'data-status="pending"' in html
    assert "hx-swap-oob" not in html


def test_a_double_click_queues_one_run(owner_client, failed, queued, on_commit):
    with on_commit(execute=True):
        _retry(owner_client, failed)
        _retry(owner_client, failed)
    assert len(queued()) == 1


@pytest.mark.parametrize("status", ["pending", "processing"])
def test_it_does_nothing_to_a_busy_document(owner_client, lecture, queued, on_commit, status):
    busy = GeneratedDocumentFactory(lecture=lecture, status=status)
    GeneratedDocument.objects.filter(pk=busy.pk).update(attempts=1, task_id="current-run", progress_percent=40)
    with on_commit(execute=True):
        response = _retry(owner_client, busy)
    assert response.status_code == 302
    busy.refresh_from_db()
    assert (busy.status, busy.attempts, busy.task_id, busy.progress_percent) == (status, 1, "current-run", 40)
    assert queued() == []


def test_it_does_not_regenerate_a_completed_document(owner_client, quiz, queued, on_commit):
    """A finished version is kept as it is (its quiz attempts refer to its questions); a new one is Generate."""
    content, file_name = quiz.content, quiz.file.name
    with on_commit(execute=True):
        _retry(owner_client, quiz)
    quiz.refresh_from_db()
    assert (quiz.status, quiz.content, quiz.file.name) == ("completed", content, file_name)
    assert queued() == []


def test_another_user_cannot_retry(other_client, failed, queued, on_commit):
    with on_commit(execute=True):
        assert _retry(other_client, failed).status_code == 404
    failed.refresh_from_db()
    assert failed.status == "failed" and queued() == []
