"""POST /documents/lecture/<pk>/generate/: queue one generation job, validate the options, refuse what cannot be
made, and number versions."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.documents import services
from apps.documents.models import GeneratedDocument
from apps.jobs.models import JobStatus
from tests.factories import ExamFactory, LectureFactory

pytestmark = pytest.mark.django_db

TASK = "apps.documents.tasks.generate_document"


def _generate(client, lecture, *, htmx=False, **data):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("documents:generate", args=[lecture.pk]), data, **headers)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_it_queues_exactly_one_job(owner_client, lecture, queued, on_commit):
    with on_commit(execute=True):
        response = _generate(owner_client, lecture, doc_type="quiz", questions="12")
    assert response.status_code == 302
    assert response["Location"] == reverse("lectures:detail", args=[lecture.pk]) + "#documents"
    document = GeneratedDocument.objects.get()
    assert (document.doc_type, document.format, document.version) == ("quiz", "pdf", 1)
    assert document.status == JobStatus.PENDING
    assert document.owner == lecture.owner and document.subject_id == lecture.subject_id
    assert document.options["questions"] == 12
    assert queued() == [(TASK, (document.pk, document.task_id))]
    assert "Quiz v1: generation has started." in _messages(response)


def test_it_queues_nothing_before_the_request_commits(owner_client, lecture, queued, on_commit):
    with on_commit(execute=False) as callbacks:
        _generate(owner_client, lecture, doc_type="cheat_sheet")
    assert queued() == []
    assert len(callbacks) == 2  # enqueue + status push, both after commit


def test_htmx_gets_the_refreshed_panel(owner_client, lecture, on_commit):
    with on_commit(execute=True):
        response = _generate(owner_client, lecture, htmx=True, doc_type="cheat_sheet", length="2")
    assert response.status_code == 200
    document = GeneratedDocument.objects.get()
    html = response.content.decode()
    assert 'id="documents"' in html and f'id="document-{document.pk}"' in html
    assert "Cheat sheet v1: generation has started." in html


@pytest.mark.parametrize("questions", ["5", "50"])
def test_it_accepts_5_to_50_questions(owner_client, lecture, questions):
    response = _generate(owner_client, lecture, htmx=True, doc_type="quiz", questions=questions)
    assert response.status_code == 200
    assert GeneratedDocument.objects.get().options["questions"] == int(questions)


@pytest.mark.parametrize("questions", ["4", "51", "0", "-5", "abc", "", "7.5", "1e3", "9" * 5000])
def test_it_rejects_a_bad_number_of_questions_with_400(owner_client, lecture, questions):
    response = _generate(owner_client, lecture, htmx=True, doc_type="quiz", questions=questions)
    assert response.status_code == 400
    assert "Choose between 5 and 50 questions." in response.content.decode()
    assert not GeneratedDocument.objects.exists()


def test_without_htmx_a_bad_option_redirects_back_with_the_message(owner_client, lecture):
    response = _generate(owner_client, lecture, doc_type="quiz", questions="500")
    assert response.status_code == 302
    assert "Choose between 5 and 50 questions." in _messages(response)
    assert not GeneratedDocument.objects.exists()


@pytest.mark.parametrize("doc_type", ["", "flashcards", "essay", "past_paper"])
def test_it_refuses_a_kind_it_cannot_make_from_a_lecture(owner_client, lecture, doc_type):
    response = _generate(owner_client, lecture, htmx=True, doc_type=doc_type)
    assert response.status_code == 400
    html = response.content.decode()
    assert "cannot be generated here" in html or "made from an uploaded exam" in html
    assert not GeneratedDocument.objects.exists()


@pytest.mark.parametrize("status", ["pending", "processing", "failed"])
def test_it_refuses_a_lecture_that_is_not_read_yet(owner_client, user, subject, status):
    lecture = LectureFactory(owner=user, subject=subject, name="Week 2", status=status)
    response = _generate(owner_client, lecture, htmx=True, doc_type="quiz", questions="10")
    assert response.status_code == 400
    assert "“Week 2” is not ready yet" in response.content.decode()
    assert not GeneratedDocument.objects.exists()


def test_it_refuses_a_quiz_made_from_an_exam(owner_client, exam):
    response = _generate(owner_client, exam, doc_type="quiz", questions="10")
    assert response["Location"] == reverse("documents:exam", args=[exam.pk])
    assert "Cheat sheets and quizzes are made from lectures, not from exams." in _messages(response)
    assert not GeneratedDocument.objects.exists()


def test_past_paper_answers_need_questions(owner_client, user, subject):
    exam = ExamFactory(owner=user, subject=subject, metadata={"exam_questions": []})
    response = _generate(owner_client, exam, doc_type="past_paper")
    assert response["Location"] == reverse("documents:exam", args=[exam.pk])
    assert "No questions were found in this exam. Add them on the exam page first." in _messages(response)
    assert not GeneratedDocument.objects.exists()


def test_past_paper_answers_are_made_from_an_exam(owner_client, exam):
    response = _generate(owner_client, exam, doc_type="past_paper")
    assert response["Location"] == reverse("documents:exam", args=[exam.pk])
    document = GeneratedDocument.objects.get()
    assert (document.doc_type, document.format, document.lecture_id) == ("past_paper", "docx", exam.pk)


def test_a_second_click_while_busy_returns_the_same_job(owner_client, lecture, queued, on_commit):
    with on_commit(execute=True):
        _generate(owner_client, lecture, doc_type="quiz", questions="10")
        _generate(owner_client, lecture, doc_type="quiz", questions="20")
    document = GeneratedDocument.objects.get()
    assert document.options["questions"] == 10
    assert len(queued()) == 1


def test_a_different_kind_is_a_separate_job(owner_client, lecture, queued, on_commit):
    with on_commit(execute=True):
        _generate(owner_client, lecture, doc_type="quiz", questions="10")
        _generate(owner_client, lecture, doc_type="cheat_sheet")
    assert sorted(GeneratedDocument.objects.values_list("doc_type", flat=True)) == ["cheat_sheet", "quiz"]
    assert len(queued()) == 2


def test_versions_count_up_once_the_previous_one_is_done(owner_client, lecture):
    versions = []
    for final in ("completed", "failed", "completed"):
        _generate(owner_client, lecture, doc_type="cheat_sheet")
        document = GeneratedDocument.objects.order_by("-version").first()
        versions.append(document.version)
        GeneratedDocument.objects.filter(pk=document.pk).update(status=final)
    assert versions == [1, 2, 3]
    assert GeneratedDocument.objects.count() == 3


def test_cheat_sheet_options_follow_the_form(owner_client, lecture):
    _generate(owner_client, lecture, doc_type="cheat_sheet", length="2", include_figures="1")
    assert GeneratedDocument.objects.get().options == {"length": 2, "include_figures": True}


def test_an_unticked_checkbox_turns_the_option_off(owner_client, lecture):
    """A browser sends nothing for an unticked checkbox: the answer key / figures must then be off."""
    _generate(owner_client, lecture, doc_type="quiz", questions="10")
    GeneratedDocument.objects.update(status="completed")
    _generate(owner_client, lecture, doc_type="cheat_sheet", length="1")
    options = {d.doc_type: d.options for d in GeneratedDocument.objects.all()}
    assert options["quiz"] == {"questions": 10, "answer_key": False}
    assert options["cheat_sheet"] == {"length": 1, "include_figures": False}


def test_the_service_defaults_options_when_none_are_given(user, lecture):
    document = services.request_document(actor=user, lecture=lecture, doc_type="quiz")
    assert document.options == {"questions": services.QUIZ_DEFAULT, "answer_key": True}


def test_the_service_refuses_another_users_lecture(other_user, lecture):
    with pytest.raises(PermissionError):
        services.request_document(actor=other_user, lecture=lecture, doc_type="quiz")
    assert not GeneratedDocument.objects.exists()
