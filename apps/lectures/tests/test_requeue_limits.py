"""Retry and Reprocess: an hourly limit per user, and Retry only for a lecture that failed or was read in part."""

import re
import time

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.urls import reverse

from apps.lectures import services
from apps.lectures.models import Lecture, LectureStatus
from tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db


def _lecture(owner, subject, status=LectureStatus.FAILED, **fields) -> Lecture:
    lecture = Lecture.objects.create(
        owner=owner,
        subject=subject,
        name="Week 1",
        original_filename="week1.pdf",
        file_type="pdf",
        status=status,
        error_code="internal" if status == LectureStatus.FAILED else "",
        page_count=2,
        **fields,
    )
    lecture.file.save("week1.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    return lecture


def _fail(lecture):
    """What a worker does when the run fails again: the lecture can be retried once more."""
    Lecture.objects.filter(pk=lecture.pk).update(status=LectureStatus.FAILED, error_code="internal")


def _queued():
    from django_q.models import OrmQ

    return OrmQ.objects.count()


def test_retry_is_refused_for_a_lecture_read_completely(owner_client, user, subject, htmx_headers):
    lecture = _lecture(user, subject, LectureStatus.COMPLETED)
    with pytest.raises(services.RequeueRefused, match="read completely"):
        services.retry_lecture(actor=user, lecture=lecture)
    response = owner_client.post(reverse("lectures:retry", args=[lecture.pk]), **htmx_headers)
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#messages"
    assert "nothing to retry" in response.content.decode()
    lecture.refresh_from_db()
    assert lecture.status == LectureStatus.COMPLETED and _queued() == 0


def test_retry_without_javascript_goes_back_to_the_lecture_with_the_message(owner_client, user, subject):
    lecture = _lecture(user, subject, LectureStatus.COMPLETED)
    response = owner_client.post(reverse("lectures:retry", args=[lecture.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("lectures:detail", args=[lecture.pk])
    assert "nothing to retry" in response.content.decode()


def test_retry_is_allowed_for_a_partly_read_lecture(user, subject, django_capture_on_commit_callbacks):
    unreadable = {"unreadable_pages": [{"page": 2, "code": "ocr_timeout", "reason": "OCR timed out."}]}
    lecture = _lecture(user, subject, LectureStatus.COMPLETED, metadata=unreadable)
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_lecture(actor=user, lecture=lecture)
    lecture.refresh_from_db()
    assert lecture.status == LectureStatus.PENDING and _queued() == 1


def test_reprocess_of_a_completed_lecture_is_allowed(user, subject, django_capture_on_commit_callbacks):
    lecture = _lecture(user, subject, LectureStatus.COMPLETED)
    with django_capture_on_commit_callbacks(execute=True):
        services.reprocess_lecture(actor=user, lecture=lecture)
    lecture.refresh_from_db()
    assert lecture.status == LectureStatus.PENDING and _queued() == 1


def test_retry_and_reprocess_share_an_hourly_limit_per_user(owner_client, user, subject, settings, htmx_headers):
    settings.LECTURE_REQUEUE_RATE_PER_HOUR = 2
    lecture = _lecture(user, subject)
    assert owner_client.post(reverse("lectures:retry", args=[lecture.pk]), **htmx_headers).status_code == 200
    _fail(lecture)
    assert owner_client.post(reverse("lectures:reprocess", args=[lecture.pk]), **htmx_headers).status_code == 200
    _fail(lecture)

    response = owner_client.post(reverse("lectures:retry", args=[lecture.pk]), **htmx_headers)
    assert response.status_code == 429
    text = response.content.decode()
    waited = int(re.search(r"Try again in (\d+) s", text).group(1))
    assert 3500 < waited <= 3600
    assert int(response["Retry-After"]) == waited
    assert "2 times per hour" in text
    lecture.refresh_from_db()
    assert lecture.status == LectureStatus.FAILED  # refused: nothing was queued

    refused = owner_client.post(reverse("lectures:reprocess", args=[lecture.pk]), **htmx_headers)
    assert refused.status_code == 429


def test_the_limit_is_per_user(user, other_user, subject, settings):
    settings.LECTURE_REQUEUE_RATE_PER_HOUR = 1
    mine = _lecture(user, subject)
    theirs = _lecture(other_user, SubjectFactory(user=other_user))
    services.retry_lecture(actor=user, lecture=mine)
    services.retry_lecture(actor=other_user, lecture=theirs)
    _fail(mine)
    with pytest.raises(services.RequeueRateLimited):
        services.retry_lecture(actor=user, lecture=mine)


def test_a_double_click_on_a_queued_lecture_costs_nothing(user, subject, settings):
    settings.LECTURE_REQUEUE_RATE_PER_HOUR = 1
    lecture = _lecture(user, subject)
    services.retry_lecture(actor=user, lecture=lecture)
    again = services.retry_lecture(actor=user, lecture=lecture)  # still pending: the same run is the answer
    assert again.status == LectureStatus.PENDING
    _fail(lecture)
    with pytest.raises(services.RequeueRateLimited):
        services.retry_lecture(actor=user, lecture=lecture)


def test_the_window_frees_up_after_an_hour(user, subject, settings):
    settings.LECTURE_REQUEUE_RATE_PER_HOUR = 1
    lecture = _lecture(user, subject)
    cache.set(f"lectures:requeues:{user.pk}", [time.time() - services.REQUEUE_WINDOW_S - 1], 60)
    services.retry_lecture(actor=user, lecture=lecture)
    _fail(lecture)
    cache.set(f"lectures:requeues:{user.pk}", [time.time() - services.REQUEUE_WINDOW_S + 30], 60)
    with pytest.raises(services.RequeueRateLimited) as refused:
        services.retry_lecture(actor=user, lecture=lecture)
    assert 1 <= refused.value.retry_after <= 30
    assert f"Try again in {refused.value.retry_after} s." in refused.value.message


def test_the_api_answers_409_and_429(api, user, subject, settings):
    settings.LECTURE_REQUEUE_RATE_PER_HOUR = 1
    done = _lecture(user, subject, LectureStatus.COMPLETED)
    refused = api.post(f"/api/v1/lectures/{done.pk}/retry")
    assert refused.status_code == 409 and refused.json()["code"] == "conflict"
    assert "nothing to retry" in refused.json()["detail"]
    assert api.post(f"/api/v1/lectures/{done.pk}/reprocess").status_code == 202
    _fail(done)
    limited = api.post(f"/api/v1/lectures/{done.pk}/retry")
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert int(limited["Retry-After"]) == limited.json()["retry_after"] > 0
