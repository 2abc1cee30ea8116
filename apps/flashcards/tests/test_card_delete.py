"""GET/POST /flashcards/<pk>/delete/: a confirmation page, then the card and its review history go."""

import pytest
from django.urls import reverse

from apps.flashcards.models import Flashcard, ReviewLog
from tests.factories import ReviewLogFactory

pytestmark = pytest.mark.django_db


def _url(card):
    return reverse("flashcards:delete", args=[card.pk])


def test_the_confirmation_page_names_the_card_and_deletes_nothing(owner_client, card):
    html = owner_client.get(_url(card)).content.decode()
    assert "Delete this card?" in html
    assert "What does // do?" in html
    assert 'method="post"' in html
    assert Flashcard.objects.filter(pk=card.pk).exists()


def test_post_deletes_the_card_and_its_reviews(owner_client, card, lecture):
    ReviewLogFactory(card=card)
    keep = ReviewLogFactory(card__lecture=lecture)
    response = owner_client.post(_url(card), follow=True)
    assert response.redirect_chain[-1][0] == reverse("flashcards:lecture", args=[lecture.pk])
    assert "Card deleted." in response.content.decode()
    assert not Flashcard.objects.filter(pk=card.pk).exists()
    assert list(ReviewLog.objects.all()) == [keep]


def test_htmx_delete_answers_with_nothing_to_swap_in(owner_client, card, htmx_headers):
    response = owner_client.post(_url(card), **htmx_headers)
    assert response.status_code == 200
    assert response.content == b""
    assert not Flashcard.objects.exists()
