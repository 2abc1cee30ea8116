"""GET /documents/<pk>/download/: the owner's file, never cached by the browser or a proxy; a past paper also as
a PDF built on demand; nothing for an unknown format or a document that is not ready."""

import subprocess

import pytest
from django.urls import reverse

from apps.documents.models import GeneratedDocument
from tests.factories import GeneratedDocumentFactory

pytestmark = pytest.mark.django_db


def _download(client, document, fmt=None):
    url = reverse("documents:download", args=[document.pk])
    return client.get(url, {"format": fmt} if fmt else {})


def test_the_owner_gets_the_stored_file_privately(owner_client, quiz):
    response = _download(owner_client, quiz)
    assert response.status_code == 200
    with quiz.file.open("rb") as fh:
        assert b"".join(response.streaming_content) == fh.read()
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Week 1 - quiz v1.pdf" in response["Content-Disposition"]


def test_asking_for_the_stored_format_is_the_same_file(owner_client, quiz):
    response = _download(owner_client, quiz, "pdf")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_cheat_sheet_downloads_as_word(owner_client, lecture):
    sheet = GeneratedDocumentFactory(lecture=lecture, doc_type="cheat_sheet")
    response = _download(owner_client, sheet)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"  # a .docx is a zip
    assert ".docx" in response["Content-Disposition"]


def test_a_past_paper_is_built_as_a_pdf_on_demand(owner_client, exam, tmp_path):
    paper = GeneratedDocumentFactory(lecture=exam, doc_type="past_paper")
    response = _download(owner_client, paper, "pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == 'attachment; filename="Midterm 2021 - past-paper v1.pdf"'
    assert response.content.startswith(b"%PDF")
    pdf = tmp_path / "answers.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Explain what a variable is." in text and "A variable is a name bound to a value." in text
    # the stored Word file is unchanged
    assert GeneratedDocument.objects.get(pk=paper.pk).file.name == paper.file.name


@pytest.mark.parametrize("fmt", ["exe", "docx", "json", "PDF", "../../etc/passwd"])
def test_an_unknown_or_unavailable_format_is_404(owner_client, quiz, fmt):
    assert _download(owner_client, quiz, fmt).status_code == 404


def test_a_cheat_sheet_is_not_built_as_a_pdf(owner_client, lecture):
    sheet = GeneratedDocumentFactory(lecture=lecture, doc_type="cheat_sheet")
    assert _download(owner_client, sheet, "pdf").status_code == 404


@pytest.mark.parametrize("status", ["pending", "processing", "failed"])
def test_a_document_that_is_not_ready_is_404(owner_client, lecture, status):
    document = GeneratedDocumentFactory(lecture=lecture, status=status)
    assert _download(owner_client, document).status_code == 404


def test_a_completed_document_without_a_file_is_404(owner_client, lecture):
    document = GeneratedDocumentFactory(lecture=lecture, with_file=False)
    assert _download(owner_client, document).status_code == 404


def test_another_users_document_is_404(other_client, quiz):
    assert _download(other_client, quiz).status_code == 404
