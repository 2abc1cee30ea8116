"""/documents/exams/<pk>/: an uploaded past exam. The student checks how it was split (merge, remove, add,
split with a "---" line, edit labels and points) and has the questions answered from the lectures."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.documents.models import GeneratedDocument
from tests.factories import ExamFactory, GeneratedDocumentFactory

pytestmark = pytest.mark.django_db


def _url(exam):
    return reverse("documents:exam", args=[exam.pk])


def _form(questions, action="save"):
    """The exam form as the browser sends it: parallel label / text / points lists and the pressed button."""
    return {
        "action": action,
        "label": [q["label"] for q in questions],
        "text": [q["text"] for q in questions],
        "points": ["" if q["points"] is None else str(q["points"]) for q in questions],
    }


def _post(client, exam, questions, action="save"):
    response = client.post(_url(exam), _form(questions, action))
    assert response.status_code == 302 and response["Location"] == _url(exam)
    exam.refresh_from_db()
    return response


def _questions(exam):
    return exam.metadata["exam_questions"]


def test_get_shows_the_questions_to_check(owner_client, exam):
    html = owner_client.get(_url(exam)).content.decode()
    assert "Explain what a variable is." in html and "Describe the halting problem." in html
    assert 'name="label" value="1"' in html and 'name="points" type="number"' in html and 'value="6"' in html
    assert html.count('value="merge:') == 1  # the last question has nothing to merge with
    assert 'value="merge:0"' in html and 'value="delete:1"' in html
    assert 'value="answer"' in html and 'value="add"' in html


def test_merge_joins_a_question_with_the_next(owner_client, exam):
    _post(owner_client, exam, _questions(exam), "merge:0")
    assert _questions(exam) == [
        {"label": "1", "text": "Explain what a variable is.\n\nDescribe the halting problem.", "points": 10}
    ]


def test_delete_removes_one_question(owner_client, exam):
    _post(owner_client, exam, _questions(exam), "delete:1")
    assert _questions(exam) == [{"label": "1", "text": "Explain what a variable is.", "points": 4}]


def test_add_appends_a_question(owner_client, exam):
    _post(owner_client, exam, _questions(exam), "add")
    assert len(_questions(exam)) == 3
    assert _questions(exam)[2] == {"label": "3", "text": "New question", "points": None}


def test_a_line_of_three_dashes_splits_a_question_in_two(owner_client, exam):
    questions = _questions(exam)
    questions[0]["text"] = "Explain what a variable is.\n---\nGive an example of one."
    _post(owner_client, exam, questions)
    assert [q["text"] for q in _questions(exam)] == [
        "Explain what a variable is.",
        "Give an example of one.",
        "Describe the halting problem.",
    ]
    assert _questions(exam)[0]["points"] == 4 and _questions(exam)[0]["label"] == "1"
    assert _questions(exam)[1]["label"] == "1-2"


def test_two_marks_split_into_three(owner_client, exam):
    questions = _questions(exam)[:1]
    questions[0]["text"] = "First part.\n  ---  \nSecond part.\n---\nThird part."
    _post(owner_client, exam, questions)
    assert [q["text"] for q in _questions(exam)] == ["First part.", "Second part.", "Third part."]


@pytest.mark.parametrize("text", ["Explain what a variable is.\n---", "---\nExplain what a variable is.", "---"])
def test_a_mark_with_nothing_on_one_side_is_dropped_not_an_error(owner_client, exam, text):
    questions = _questions(exam)
    questions[0]["text"] = text
    _post(owner_client, exam, questions)
    texts = [q["text"] for q in _questions(exam)]
    assert "---" not in "\n".join(texts)
    assert texts[-1] == "Describe the halting problem."


def test_save_keeps_edited_labels_and_points(owner_client, exam):
    questions = [
        {"label": "1(a)", "text": "Explain what a variable is.", "points": 7},
        {"label": "Q2", "text": "Describe the halting problem.\nUse an example.", "points": None},
    ]
    response = _post(owner_client, exam, questions)
    assert _questions(exam) == questions
    assert "Questions saved." in [str(m) for m in get_messages(response.wsgi_request)]


def test_junk_points_and_empty_questions_are_cleaned(owner_client, exam):
    questions = [
        {"label": "1", "text": "Explain what a variable is.", "points": "lots"},
        {"label": "2", "text": "   ", "points": 3},
        {"label": "", "text": "Unlabelled question.", "points": None},
    ]
    _post(owner_client, exam, questions)
    assert _questions(exam) == [
        {"label": "1", "text": "Explain what a variable is.", "points": None},
        {"label": "2", "text": "Unlabelled question.", "points": None},
    ]


@pytest.mark.parametrize("action", ["merge:1", "merge:9", "merge:", "merge:x", "delete:9", "delete:-1", "explode"])
def test_an_action_out_of_range_changes_nothing_and_is_not_an_error(owner_client, exam, action):
    before = _questions(exam)
    _post(owner_client, exam, before, action)
    assert _questions(exam) == before


def test_answer_saves_and_queues_the_past_paper_answers(owner_client, exam, queued, on_commit):
    questions = _questions(exam) + [{"label": "3", "text": "What is a loop?", "points": 2}]
    with on_commit(execute=True):
        response = _post(owner_client, exam, questions, "answer")
    assert len(_questions(exam)) == 3
    document = GeneratedDocument.objects.get()
    assert (document.doc_type, document.format, document.lecture_id, document.status) == (
        "past_paper",
        "docx",
        exam.pk,
        "pending",
    )
    assert queued() == [("apps.documents.tasks.generate_document", (document.pk, document.task_id))]
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Answering the questions from your lectures has started." in messages


def test_answer_without_questions_is_refused_with_a_message(owner_client, exam):
    response = _post(owner_client, exam, [{"label": "1", "text": "", "points": None}], "answer")
    assert not GeneratedDocument.objects.exists()
    assert any("No questions were found" in str(m) for m in get_messages(response.wsgi_request))


def test_the_answers_are_listed_on_the_exam_page(owner_client, exam):
    paper = GeneratedDocumentFactory(lecture=exam, doc_type="past_paper")
    html = owner_client.get(_url(exam)).content.decode()
    assert f'id="document-{paper.pk}"' in html and "Past paper answers · version 1" in html
    assert reverse("documents:download", args=[paper.pk]) + "?format=pdf" in html


def test_an_exam_still_being_read_polls_and_hides_the_form(owner_client, user, subject):
    exam = ExamFactory(owner=user, subject=subject, status="processing", metadata={})
    html = owner_client.get(_url(exam)).content.decode()
    assert f'hx-get="{_url(exam)}"' in html and 'hx-trigger="every 2s"' in html
    assert 'id="exam-form"' not in html


def test_an_ordinary_lecture_is_not_an_exam_page(owner_client, lecture):
    assert owner_client.get(_url(lecture)).status_code == 404
    assert owner_client.post(_url(lecture), _form([{"label": "1", "text": "x", "points": None}])).status_code == 404
    lecture.refresh_from_db()
    assert "exam_questions" not in lecture.metadata


def test_the_lecture_page_of_an_exam_redirects_to_the_exam_page(owner_client, exam):
    response = owner_client.get(reverse("lectures:detail", args=[exam.pk]))
    assert response.status_code == 302 and response["Location"] == _url(exam)


def test_another_user_cannot_change_the_questions(other_client, exam):
    before = _questions(exam)
    response = other_client.post(_url(exam), _form([{"label": "1", "text": "Hacked", "points": None}]))
    assert response.status_code == 404
    exam.refresh_from_db()
    assert _questions(exam) == before
