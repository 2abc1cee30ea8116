"""/api/v1/documents: generate, status, list, download, delete; a quiz taken through the API (no answers leak
before submitting), scored and reviewed; another user's token reaches nothing."""

import json

import pytest

from apps.documents.models import GeneratedDocument, QuizAttempt
from apps.study.models import StudySession
from tests.factories import GeneratedDocumentFactory, LectureFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/documents"


@pytest.fixture
def lecture(user, subject):
    return LectureFactory(owner=user, subject=subject, status="completed", page_count=8)


@pytest.fixture
def quiz(lecture):
    return GeneratedDocumentFactory(lecture=lecture)


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_generate_is_a_job_with_status(api, lecture):
    started = _post(api, f"{API}/", {"lecture_id": lecture.pk, "doc_type": "quiz", "options": {"questions": 8}})
    assert started.status_code == 202, started.content
    body = started.json()
    assert (body["status"], body["version"], body["options"]) == ("pending", 1, {"questions": 8, "answer_key": True})
    # a second request while the first is busy returns the same job
    again = _post(api, f"{API}/", {"lecture_id": lecture.pk, "doc_type": "quiz"})
    assert again.json()["id"] == body["id"]
    assert api.get(f"{API}/{body['id']}").json()["status"] == "pending"
    assert api.get(f"{API}/{body['id']}/file").status_code == 404  # not ready


def test_refusals_are_422_and_429(api, lecture, settings):
    bad = _post(api, f"{API}/", {"lecture_id": lecture.pk, "doc_type": "quiz", "options": {"questions": 99}})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid")
    assert "options.questions (Input should be less than or equal to 50)" in bad.json()["detail"]
    exam_needed = _post(api, f"{API}/", {"lecture_id": lecture.pk, "doc_type": "past_paper"})
    assert exam_needed.status_code == 422
    settings.GENERATION_RATE_PER_HOUR = 1
    assert _post(api, f"{API}/", {"lecture_id": lecture.pk, "doc_type": "cheat_sheet"}).status_code == 202
    limited = _post(api, f"{API}/", {"lecture_id": lecture.pk, "doc_type": "quiz"})
    assert limited.status_code == 429
    assert limited["Retry-After"] == str(limited.json()["retry_after"])


def test_list_download_delete(api, lecture, quiz):
    sheet = GeneratedDocumentFactory(lecture=lecture, doc_type="cheat_sheet")
    listed = api.get(f"{API}/", {"lecture_id": lecture.pk}).json()
    assert listed["count"] == 2 and {d["id"] for d in listed["items"]} == {quiz.pk, sheet.pk}
    assert [d["id"] for d in api.get(f"{API}/", {"doc_type": "quiz"}).json()["items"]] == [quiz.pk]
    pdf = api.get(f"{API}/{quiz.pk}/file")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert api.get(f"{API}/{sheet.pk}/file", {"format": "pdf"}).status_code == 404  # a cheat sheet is DOCX only
    assert api.delete(f"{API}/{sheet.pk}").status_code == 204
    assert not GeneratedDocument.objects.filter(pk=sheet.pk).exists()


def test_take_a_quiz_without_seeing_the_answers(api, user, quiz):
    taken = api.get(f"{API}/{quiz.pk}/quiz")
    assert taken.status_code == 200
    text = taken.content.decode()
    questions = quiz.content["questions"]
    assert "correct" not in text and "explanation" not in text.lower()
    assert [q["question"] for q in taken.json()["questions"]] == [q["question"] for q in questions]

    picks = [q["correct"] for q in questions[:-1]] + [None]  # all right but the last, skipped
    submitted = _post(api, f"{API}/{quiz.pk}/attempts", {"answers": picks})
    assert submitted.status_code == 201, submitted.content
    result = submitted.json()
    total = len(questions)
    assert (result["correct"], result["total"]) == (total - 1, total)
    assert result["score"] == round(100 * (total - 1) / total, 1)
    assert result["review"][-1]["picked"] is None and not result["review"][-1]["right"]
    assert result["review"][0]["explanation"]
    assert QuizAttempt.objects.get(pk=result["id"]).study_session is not None
    assert StudySession.objects.filter(user=user, session_type="quiz").count() == 1
    assert api.get(f"{API}/{quiz.pk}/attempts/{result['id']}").json()["score"] == result["score"]
    assert api.get(f"{API}/{quiz.pk}/attempts").json()["count"] == 1
    bad = _post(api, f"{API}/{quiz.pk}/attempts", {"answers": ["A"]})
    assert bad.status_code == 422


def test_another_users_token_reaches_nothing(other_api, quiz, lecture):
    for url in (f"{API}/{quiz.pk}", f"{API}/{quiz.pk}/file", f"{API}/{quiz.pk}/quiz", f"{API}/{quiz.pk}/attempts"):
        assert other_api.get(url).status_code == 404, url
    assert _post(other_api, f"{API}/{quiz.pk}/attempts", {"answers": [0]}).status_code == 404
    assert other_api.delete(f"{API}/{quiz.pk}").status_code == 404
    assert _post(other_api, f"{API}/", {"lecture_id": lecture.pk, "doc_type": "quiz"}).status_code == 404
    assert other_api.get(f"{API}/").json()["count"] == 0
    assert GeneratedDocument.objects.filter(pk=quiz.pk).exists()
    assert not QuizAttempt.objects.exists()
