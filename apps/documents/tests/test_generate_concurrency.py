"""Parallel clicks on the same Generate button queue one job, not several (real parallel requests, each on its
own database connection)."""

import pytest
from django.urls import reverse
from django_q.models import OrmQ

from apps.documents import services
from apps.documents.models import GeneratedDocument
from apps.documents.tests.parallel import in_parallel, logged_in_client
from tests.factories import LectureFactory

pytestmark = pytest.mark.django_db(transaction=True)

CLICKS = 6


@pytest.fixture
def lecture(user, subject):
    return LectureFactory(owner=user, subject=subject, status="completed")


def test_parallel_clicks_make_one_document_and_one_job(user, lecture):
    clients = [logged_in_client(user) for _ in range(CLICKS)]
    url = reverse("documents:generate", args=[lecture.pk])

    def click(i):
        return clients[i].post(url, {"doc_type": "quiz", "questions": "10"}, HTTP_HX_REQUEST="true").status_code

    assert in_parallel(click, CLICKS) == [200] * CLICKS
    document = GeneratedDocument.objects.get()
    assert document.version == 1
    assert [q.args() for q in OrmQ.objects.all()] == [(document.pk, document.task_id)]


def test_parallel_service_calls_return_the_same_document(user, lecture):
    def request(i):
        return services.request_document(actor=user, lecture=lecture, doc_type="cheat_sheet").pk

    assert len(set(in_parallel(request, CLICKS))) == 1
    assert GeneratedDocument.objects.count() == 1
    assert OrmQ.objects.count() == 1


def test_parallel_clicks_for_two_kinds_make_one_of_each(user, lecture):
    def request(i):
        doc_type = "quiz" if i % 2 else "cheat_sheet"
        return services.request_document(actor=user, lecture=lecture, doc_type=doc_type).pk

    assert len(set(in_parallel(request, CLICKS))) == 2
    assert sorted(GeneratedDocument.objects.values_list("doc_type", "version")) == [("cheat_sheet", 1), ("quiz", 1)]
    assert OrmQ.objects.count() == 2
