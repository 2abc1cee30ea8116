"""POST /documents/exams/upload/<subject_pk>/: a past exam is stored like a lecture with role "exam", split into
questions when it is read, kept out of the subject's lecture list and never indexed for retrieval."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.lectures.models import Chunk, Lecture, LecturePage
from apps.lectures.selectors import exams_for_subject, lectures_for_subject
from tests.factories import ExamFactory

EXAM = "exams/pdr_exam1-f21.pdf"


def _upload(client, subject, uploaded, **data):
    return client.post(reverse("documents:exam_upload", args=[subject.pk]), {"file": uploaded, **data})


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _pdf(fixtures_dir):
    return SimpleUploadedFile("pdr_exam1-f21.pdf", (fixtures_dir / EXAM).read_bytes(), "application/pdf")


@pytest.mark.django_db
def test_a_pdf_becomes_an_exam_and_opens_its_page(owner_client, user, subject, fixtures_dir, on_commit):
    with on_commit(execute=True):
        response = _upload(owner_client, subject, _pdf(fixtures_dir), name="Midterm fall 2021")
    exam = Lecture.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("documents:exam", args=[exam.pk])
    assert (exam.role, exam.owner, exam.subject, exam.name) == ("exam", user, subject, "Midterm fall 2021")
    assert exam.file_type == "pdf" and exam.status == "pending"
    assert exam.task_id  # queued for reading
    assert "“Midterm fall 2021” uploaded; reading the questions." in _messages(response)


@pytest.mark.django_db
def test_without_a_name_the_file_name_is_used(owner_client, subject, fixtures_dir):
    _upload(owner_client, subject, _pdf(fixtures_dir))
    assert Lecture.objects.get().name == "pdr exam1-f21"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("uploaded", "message"),
    [
        (SimpleUploadedFile("exam.pdf", b"\x00\x9f\x92\x96 definitely not a document " * 40), "not a file type"),
        (SimpleUploadedFile("exam.exe", b"MZ\x90\x00\x03\x00\x00\x00" * 64), "not a file type"),
        (SimpleUploadedFile("exam.pdf", b""), "is empty"),
    ],
)
def test_a_junk_file_is_refused_with_a_clear_message_and_leaves_nothing(
    owner_client, user, subject, settings, uploaded, message
):
    response = _upload(owner_client, subject, uploaded)
    assert response.status_code == 302
    assert response["Location"] == reverse("subjects:detail", args=[subject.pk]) + "#exams"
    assert any(message in m for m in _messages(response)), _messages(response)
    assert not Lecture.objects.exists()
    folder = settings.MEDIA_ROOT / "uploads" / str(user.pk)
    assert not folder.exists() or not [p for p in folder.rglob("*") if p.is_file()]
    assert not list((settings.MEDIA_ROOT / "tmp").glob("upload-*"))


@pytest.mark.django_db
def test_no_file_asks_for_one(owner_client, subject):
    response = owner_client.post(reverse("documents:exam_upload", args=[subject.pk]))
    assert "Choose the exam file to upload." in _messages(response)
    assert not Lecture.objects.exists()


@pytest.mark.django_db
def test_the_upload_limit_applies_to_exams_too(owner_client, subject, settings, fixtures_dir):
    settings.UPLOAD_RATE_PER_HOUR = 1
    _upload(owner_client, subject, _pdf(fixtures_dir))
    response = _upload(owner_client, subject, _pdf(fixtures_dir))
    assert any("You can upload 1 files per hour." in m for m in _messages(response))
    assert Lecture.objects.count() == 1


@pytest.mark.django_db
def test_another_users_subject_cannot_receive_exams(other_client, subject, fixtures_dir):
    assert _upload(other_client, subject, _pdf(fixtures_dir)).status_code == 404
    assert not Lecture.objects.exists()


@pytest.mark.django_db
def test_exams_are_listed_apart_from_the_lectures(owner_client, user, subject, lecture):
    exam = ExamFactory(owner=user, subject=subject, name="Midterm 2021")
    assert list(lectures_for_subject(user, subject)) == [lecture]
    assert list(exams_for_subject(user, subject)) == [exam]
    html = owner_client.get(reverse("subjects:detail", args=[subject.pk])).content.decode()
    lecture_list = re.search(r'<ul class="lecture-list stack" id="lecture-list">(.*?)</ul>', html, re.S).group(1)
    assert "Week 1" in lecture_list and "Midterm 2021" not in lecture_list
    exam_list = re.search(r'id="exam-list">(.*?)</ul>', html, re.S).group(1)
    assert "Midterm 2021" in exam_list and reverse("documents:exam", args=[exam.pk]) in exam_list


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_read_exam_has_questions_and_no_chunks(owner_client, subject, fixtures_dir):
    from apps.lectures.tests.helpers import ingest_now

    _upload(owner_client, subject, _pdf(fixtures_dir))
    exam = ingest_now(Lecture.objects.get())
    assert exam.status == "completed", exam.error_message
    assert LecturePage.objects.filter(lecture=exam).count() == exam.page_count > 0
    assert Chunk.objects.count() == 0
    questions = exam.metadata["exam_questions"]
    assert questions and all(q["text"].strip() for q in questions)
    html = owner_client.get(reverse("documents:exam", args=[exam.pk])).content.decode()
    assert 'id="exam-form"' in html and f"({len(questions)})" in html
