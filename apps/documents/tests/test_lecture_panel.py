"""GET /documents/lecture/<pk>/: a lecture's documents panel (its own URL, so htmx can refresh it)."""

import pytest
from django.urls import reverse

from tests.factories import GeneratedDocumentFactory, LectureFactory

pytestmark = pytest.mark.django_db


def _panel(client, lecture, **headers):
    response = client.get(reverse("documents:lecture", args=[lecture.pk]), **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_a_read_lecture_offers_both_kinds_of_document(owner_client, lecture):
    html = _panel(owner_client, lecture)
    generate = reverse("documents:generate", args=[lecture.pk])
    assert html.count(f'hx-post="{generate}"') == 2
    assert 'name="doc_type" value="cheat_sheet"' in html and 'name="doc_type" value="quiz"' in html
    assert 'name="questions" value="10" min="5" max="50"' in html
    assert "No documents yet" in html


def test_a_lecture_being_read_offers_nothing_yet(owner_client, user, subject):
    lecture = LectureFactory(owner=user, subject=subject, status="processing")
    html = _panel(owner_client, lecture)
    assert "can be made once the lecture has been read" in html
    assert reverse("documents:generate", args=[lecture.pk]) not in html


def test_it_lists_every_version_newest_first(owner_client, lecture):
    first = GeneratedDocumentFactory(lecture=lecture)
    second = GeneratedDocumentFactory(lecture=lecture)
    sheet = GeneratedDocumentFactory(lecture=lecture, doc_type="cheat_sheet", status="processing")
    html = _panel(owner_client, lecture)
    positions = [html.index(f'id="document-{d.pk}"') for d in (sheet, second, first)]
    assert positions == sorted(positions)
    assert "Quiz · version 2" in html and "Quiz · version 1" in html and "Cheat sheet · version 1" in html
    assert reverse("documents:take", args=[first.pk]) in html


def test_the_panel_varies_on_htmx(owner_client, lecture):
    response = owner_client.get(reverse("documents:lecture", args=[lecture.pk]), HTTP_HX_REQUEST="true")
    assert "HX-Request" in response["Vary"]


def test_an_exam_gets_its_answers_list(owner_client, exam):
    paper = GeneratedDocumentFactory(lecture=exam, doc_type="past_paper")
    html = _panel(owner_client, exam)
    assert "<h2>Answers</h2>" in html and f'id="document-{paper.pk}"' in html
    assert reverse("documents:generate", args=[exam.pk]) not in html
