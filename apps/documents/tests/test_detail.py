"""GET /documents/<pk>/: a document on screen — a cheat sheet's sections with page links, a quiz's attempts, a
past paper's answers with their sources — plus its status."""

import pytest
from django.urls import reverse

from apps.documents.models import GeneratedDocument
from tests.factories import GeneratedDocumentFactory

pytestmark = pytest.mark.django_db


def _detail(client, document):
    response = client.get(reverse("documents:detail", args=[document.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_cheat_sheet_shows_its_sections_with_page_links(owner_client, lecture):
    sheet = GeneratedDocumentFactory(lecture=lecture, doc_type="cheat_sheet")
    html = _detail(owner_client, sheet)
    assert "Variables" in html and "A variable names a value." in html and "% gives the remainder." in html
    for page in (2, 8, 9):
        assert f'href="{reverse("lectures:page", args=[lecture.pk, page])}"' in html
    assert f'href="{reverse("lectures:detail", args=[lecture.pk])}"' in html  # breadcrumb


def test_a_quiz_offers_both_ways_to_take_it(owner_client, quiz):
    html = _detail(owner_client, quiz)
    take = reverse("documents:take", args=[quiz.pk])
    assert f'href="{take}"' in html and f'href="{take}?mode=all"' in html
    assert "You have not taken this quiz yet." in html
    assert "EXPLAIN-" not in html  # the answers are not on the quiz's page either


def test_a_past_paper_shows_answers_sources_and_gaps(owner_client, user, subject, exam, lecture):
    content = {
        "title": "Midterm 2021",
        "answers": [
            {
                "question": {"label": "1", "text": "Explain what a variable is.", "points": 4},
                "answer": "A variable is a name bound to a value.",
                "citations": [{"lecture_name": "Week 1", "page": 2, "lecture_id": lecture.pk}],
                "covered": True,
            },
            {
                "question": {"label": "2", "text": "Describe the halting problem.", "points": None},
                "answer": "",
                "citations": [],
                "covered": False,
            },
        ],
    }
    paper = GeneratedDocumentFactory(lecture=exam, doc_type="past_paper", content=content)
    html = _detail(owner_client, paper)
    assert "Question 1" in html and "[4 points]" in html and "A variable is a name bound to a value." in html
    assert f'href="{reverse("lectures:page", args=[lecture.pk, 2])}"' in html and "Week 1, p. 2" in html
    assert "Your notes do not cover this question." in html
    assert f'href="{reverse("documents:exam", args=[exam.pk])}"' in html  # breadcrumb back to the exam


def test_a_document_being_made_shows_only_its_status(owner_client, lecture):
    document = GeneratedDocumentFactory(lecture=lecture, status="pending")
    html = _detail(owner_client, document)
    assert 'data-status="pending"' in html
    assert reverse("documents:take", args=[document.pk]) not in html


def test_a_notice_from_generation_is_shown(owner_client, lecture):
    sheet = GeneratedDocumentFactory(lecture=lecture, doc_type="cheat_sheet")
    GeneratedDocument.objects.filter(pk=sheet.pk).update(metadata={"notice": "The model was unavailable."})
    assert "The model was unavailable." in _detail(owner_client, sheet)
