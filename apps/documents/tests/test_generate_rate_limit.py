"""The hourly generation limit (GENERATION_RATE_PER_HOUR): a clear 429 with when to try again, and exact
under parallel requests."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from apps.documents.models import GeneratedDocument
from apps.documents.tests.parallel import in_parallel, logged_in_client
from tests.factories import GeneratedDocumentFactory, LectureFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def limit_two(settings):
    settings.GENERATION_RATE_PER_HOUR = 2


def _generate(client, lecture, doc_type="cheat_sheet"):
    return client.post(reverse("documents:generate", args=[lecture.pk]), {"doc_type": doc_type}, **HTMX)


@pytest.mark.django_db
def test_the_third_request_in_an_hour_gets_429_with_a_wait(owner_client, lecture, limit_two):
    assert _generate(owner_client, lecture, "cheat_sheet").status_code == 200
    assert _generate(owner_client, lecture, "quiz").status_code == 200
    other = LectureFactory(owner=lecture.owner, subject=lecture.subject, status="completed")
    response = _generate(owner_client, other)
    assert response.status_code == 429
    html = response.content.decode()
    assert "You can generate 2 documents per hour." in html
    minutes = int(re.search(r"Try again in (\d+) min", html).group(1))
    assert 59 <= minutes <= 60
    assert 3500 <= int(response["Retry-After"]) <= 3600
    assert GeneratedDocument.objects.count() == 2


@pytest.mark.django_db
def test_a_click_on_a_job_still_running_is_not_refused_by_the_limit(owner_client, lecture, limit_two):
    _generate(owner_client, lecture, "cheat_sheet")
    _generate(owner_client, lecture, "quiz")
    assert _generate(owner_client, lecture, "quiz").status_code == 200
    assert GeneratedDocument.objects.count() == 2


@pytest.mark.django_db
def test_without_htmx_the_limit_is_a_message_on_the_lecture_page(owner_client, lecture, limit_two):
    for doc_type in ("cheat_sheet", "quiz"):
        GeneratedDocumentFactory(lecture=lecture, doc_type=doc_type)
    response = owner_client.post(reverse("documents:generate", args=[lecture.pk]), {"doc_type": "quiz"}, follow=True)
    assert "Try again in" in response.content.decode()
    assert GeneratedDocument.objects.count() == 2


@pytest.mark.django_db
def test_the_wait_counts_from_the_oldest_document_of_the_hour(owner_client, lecture, limit_two):
    old = GeneratedDocumentFactory(lecture=lecture, doc_type="cheat_sheet")
    GeneratedDocumentFactory(lecture=lecture, doc_type="quiz")
    GeneratedDocument.objects.filter(pk=old.pk).update(created_at=old.created_at - timedelta(minutes=50))
    response = _generate(owner_client, lecture, "cheat_sheet")
    assert response.status_code == 429
    assert re.search(r"Try again in (9|10) min", response.content.decode())
    assert 540 <= int(response["Retry-After"]) <= 600


@pytest.mark.django_db
def test_documents_older_than_an_hour_no_longer_count(owner_client, lecture, limit_two):
    for doc_type in ("cheat_sheet", "quiz"):
        GeneratedDocumentFactory(lecture=lecture, doc_type=doc_type)
    GeneratedDocument.objects.update(created_at=GeneratedDocument.objects.first().created_at - timedelta(minutes=61))
    assert _generate(owner_client, lecture, "quiz").status_code == 200
    assert GeneratedDocument.objects.count() == 3


@pytest.mark.django_db
def test_another_users_documents_do_not_count(owner_client, other_user, lecture, limit_two):
    for doc_type in ("cheat_sheet", "quiz"):
        GeneratedDocumentFactory(lecture__owner=other_user, doc_type=doc_type)
    assert _generate(owner_client, lecture).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_limit_is_exact_under_six_parallel_requests(user, subject, limit_two):
    lectures = [LectureFactory(owner=user, subject=subject, status="completed") for _ in range(6)]
    clients = [logged_in_client(user) for _ in lectures]

    def click(i):
        return _generate(clients[i], lectures[i]).status_code

    statuses = in_parallel(click, len(lectures))
    assert sorted(statuses) == [200, 200, 429, 429, 429, 429]
    assert GeneratedDocument.objects.filter(owner=user).count() == 2
