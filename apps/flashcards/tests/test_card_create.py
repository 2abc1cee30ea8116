"""GET/POST /flashcards/lecture/<pk>/new/: writing a card by hand."""

import pytest
from django.urls import reverse

from apps.flashcards.models import Flashcard

pytestmark = pytest.mark.django_db


def _url(lecture):
    return reverse("flashcards:create", args=[lecture.pk])


def test_the_form_shows_front_back_page_and_tags(owner_client, lecture):
    html = owner_client.get(_url(lecture)).content.decode()
    for name in ("question", "answer", "source_page", "tags", "card_type"):
        assert f'name="{name}"' in html


def test_it_creates_a_card_on_a_page_with_tags(owner_client, user, lecture):
    data = {"question": " What is 7 // 2? ", "answer": "3", "source_page": "4", "tags": "ops, week-1 ops"}
    response = owner_client.post(_url(lecture), data, follow=True)
    card = Flashcard.objects.get()
    assert (card.owner, card.lecture, card.subject_id) == (user, lecture, lecture.subject_id)
    assert (card.question, card.answer, card.source_page) == ("What is 7 // 2?", "3", 4)
    assert card.tags == ["ops", "week-1"]
    assert (card.origin, card.card_type, card.edited, card.due_at) == ("manual", "basic", False, None)
    assert "Card added." in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("flashcards:lecture", args=[lecture.pk])


def test_it_creates_a_cloze_card(owner_client, lecture):
    owner_client.post(_url(lecture), {"card_type": "cloze", "question": "{{c1::%}} gives the remainder", "answer": "%"})
    assert Flashcard.objects.get().card_type == "cloze"


def test_it_refuses_an_empty_front_with_a_message(owner_client, lecture):
    response = owner_client.post(_url(lecture), {"question": "   ", "answer": "Something"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "The front of a card cannot be empty." in html
    assert ">Something</textarea>" in html  # what was typed is kept
    assert not Flashcard.objects.exists()


def test_it_refuses_an_empty_back(owner_client, lecture):
    response = owner_client.post(_url(lecture), {"question": "Q?", "answer": ""})
    assert response.status_code == 400
    assert "The back of a card cannot be empty." in response.content.decode()
    assert not Flashcard.objects.exists()


def test_it_refuses_a_page_the_lecture_does_not_have(owner_client, lecture):
    response = owner_client.post(_url(lecture), {"question": "Q?", "answer": "A", "source_page": "11"})
    assert response.status_code == 400
    assert "has no page 11" in response.content.decode()


def test_it_refuses_an_unknown_card_type(owner_client, lecture):
    response = owner_client.post(_url(lecture), {"question": "Q?", "answer": "A", "card_type": "essay"})
    assert response.status_code == 400
    assert not Flashcard.objects.exists()


def test_it_refuses_a_front_that_is_too_long(owner_client, lecture):
    response = owner_client.post(_url(lecture), {"question": "x" * 4001, "answer": "A"})
    assert response.status_code == 400
    assert "too long" in response.content.decode()
