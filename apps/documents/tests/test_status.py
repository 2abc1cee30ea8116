"""GET /documents/<pk>/status/: the status fragment a page swaps in (and the realtime push renders)."""

import pytest
from django.urls import reverse

from apps.documents.models import GeneratedDocument
from apps.documents.progress import render_status
from tests.factories import GeneratedDocumentFactory

pytestmark = pytest.mark.django_db


def _status(client, document):
    response = client.get(reverse("documents:status", args=[document.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_waiting_document_shows_its_step_and_progress(owner_client, lecture):
    document = GeneratedDocumentFactory(lecture=lecture, status="processing")
    GeneratedDocument.objects.filter(pk=document.pk).update(progress_percent=42, progress_step="Writing questions")
    html = _status(owner_client, document)
    assert 'data-status="processing"' in html and 'aria-valuenow="42"' in html and "Writing questions" in html
    assert "hx-swap-oob" not in html
    assert reverse("documents:download", args=[document.pk]) not in html


def test_a_ready_quiz_offers_download_take_and_view(owner_client, quiz):
    html = _status(owner_client, quiz)
    assert 'data-status="completed"' in html and "Ready" in html
    for name in ("download", "take", "detail"):
        assert reverse(f"documents:{name}", args=[quiz.pk]) in html, name
    assert "without an AI model" not in html


def test_a_ready_past_paper_also_offers_a_pdf(owner_client, exam):
    paper = GeneratedDocumentFactory(lecture=exam, doc_type="past_paper", made_offline=True)
    html = _status(owner_client, paper)
    assert reverse("documents:download", args=[paper.pk]) + "?format=pdf" in html
    assert "without an AI model" in html
    assert reverse("documents:take", args=[paper.pk]) not in html


def test_a_failed_document_shows_why_and_a_retry_button(owner_client, lecture):
    failed = GeneratedDocumentFactory(lecture=lecture, status="failed")
    html = _status(owner_client, failed)
    assert "Something went wrong while generating this document." in html
    assert f'hx-post="{reverse("documents:retry", args=[failed.pk])}"' in html


def test_the_pushed_fragment_is_out_of_band(quiz):
    assert 'hx-swap-oob="true"' in render_status(quiz)
