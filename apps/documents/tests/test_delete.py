"""/documents/<pk>/delete/: GET asks, POST deletes the version and, after commit, its file; other versions,
the notes and the study statistics stay."""

from pathlib import Path

import pytest
from django.urls import reverse

from apps.documents.models import GeneratedDocument, QuizAttempt
from apps.study.models import StudySession
from tests.factories import GeneratedDocumentFactory

pytestmark = pytest.mark.django_db


def _url(document):
    return reverse("documents:delete", args=[document.pk])


def test_get_shows_a_confirmation_and_deletes_nothing(owner_client, quiz):
    response = owner_client.get(_url(quiz))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Delete quiz version 1?" in html
    assert 'method="post"' in html and "Other versions and your notes are kept." in html
    assert GeneratedDocument.objects.filter(pk=quiz.pk).exists()
    assert Path(quiz.file.path).exists()


def test_post_deletes_the_row_and_its_file_after_commit(owner_client, lecture, quiz, on_commit):
    path = Path(quiz.file.path)
    with on_commit(execute=False) as callbacks:
        response = owner_client.post(_url(quiz))
        assert path.exists()  # nothing on disk changes before the commit
    for callback in callbacks:
        callback()
    assert response.status_code == 302 and response["Location"] == reverse("lectures:detail", args=[lecture.pk])
    assert not GeneratedDocument.objects.filter(pk=quiz.pk).exists()
    assert not path.exists()


def test_other_versions_stay(owner_client, lecture, quiz, on_commit):
    second = GeneratedDocumentFactory(lecture=lecture)
    sheet = GeneratedDocumentFactory(lecture=lecture, doc_type="cheat_sheet")
    with on_commit(execute=True):
        owner_client.post(_url(quiz))
    assert sorted(GeneratedDocument.objects.values_list("pk", flat=True)) == sorted([second.pk, sheet.pk])
    assert Path(second.file.path).exists() and Path(sheet.file.path).exists()
    assert second.version == 2


def test_the_quiz_scores_stay_in_the_study_statistics(owner_client, user, quiz, on_commit):
    from apps.documents import services

    services.record_quiz_attempt(actor=user, document=quiz, answers=[0, 1, 2, 3])
    with on_commit(execute=True):
        owner_client.post(_url(quiz))
    assert not QuizAttempt.objects.exists()
    session = StudySession.objects.get()
    assert session.session_type == "quiz" and session.score == 100.0


def test_a_failed_document_without_a_file_deletes(owner_client, lecture, on_commit):
    failed = GeneratedDocumentFactory(lecture=lecture, status="failed")
    with on_commit(execute=True):
        assert owner_client.post(_url(failed)).status_code == 302
    assert not GeneratedDocument.objects.exists()


def test_an_exams_answers_return_to_the_exam_page(owner_client, exam, on_commit):
    paper = GeneratedDocumentFactory(lecture=exam, doc_type="past_paper")
    with on_commit(execute=True):
        response = owner_client.post(_url(paper))
    assert response["Location"] == reverse("documents:exam", args=[exam.pk])


def test_htmx_gets_an_empty_reply_to_remove_the_row(owner_client, quiz, on_commit):
    with on_commit(execute=True):
        response = owner_client.post(_url(quiz), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.content == b""
    assert not GeneratedDocument.objects.exists()


def test_another_user_cannot_delete(other_client, quiz, on_commit):
    with on_commit(execute=True):
        assert other_client.post(_url(quiz)).status_code == 404
    assert GeneratedDocument.objects.filter(pk=quiz.pk).exists() and Path(quiz.file.path).exists()
