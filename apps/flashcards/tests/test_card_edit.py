"""GET/POST /flashcards/<pk>/edit/: editing a card marks it edited (regeneration never replaces it)."""

import pytest
from django.urls import reverse

from apps.flashcards.models import Flashcard

pytestmark = pytest.mark.django_db


def _url(card, nxt=""):
    return reverse("flashcards:edit", args=[card.pk]) + (f"?next={nxt}" if nxt else "")


def test_the_form_is_filled_with_the_card(owner_client, card):
    html = owner_client.get(_url(card)).content.decode()
    assert ">What does // do?</textarea>" in html
    assert ">Floor division.</textarea>" in html
    assert 'value="ops"' in html


def test_editing_marks_the_card_edited_and_keeps_its_schedule(owner_client, card):
    Flashcard.objects.filter(pk=card.pk).update(review_count=2, repetitions=2, interval_days=6)
    key = card.dedup_key
    response = owner_client.post(_url(card), {"question": "What does // give?", "answer": "The floor.", "tags": "x y"})
    assert response.status_code == 302
    card.refresh_from_db()
    assert (card.question, card.answer, card.tags, card.edited) == (
        "What does // give?",
        "The floor.",
        ["x", "y"],
        True,
    )
    assert (card.review_count, card.repetitions, card.interval_days) == (2, 2, 6)
    # the key of what was generated stays, so regenerating does not bring the old wording back
    assert card.dedup_key == key


def test_editing_from_the_review_page_goes_back_there(owner_client, card):
    back = reverse("flashcards:review")
    response = owner_client.post(_url(card, back), {"question": "Q", "answer": "A", "next": back})
    assert response["Location"] == back


def test_an_outside_next_address_is_ignored(owner_client, card):
    response = owner_client.post(_url(card), {"question": "Q", "answer": "A", "next": "//evil.example/"})
    assert response["Location"] == reverse("flashcards:lecture", args=[card.lecture_id])


def test_an_empty_back_is_refused_and_what_was_typed_is_kept(owner_client, card):
    response = owner_client.post(_url(card), {"question": "New wording?", "answer": " "})
    html = response.content.decode()
    assert response.status_code == 400
    assert "The back of a card cannot be empty." in html
    assert ">New wording?</textarea>" in html
    card.refresh_from_db()
    assert (card.question, card.edited) == ("What does // do?", False)


def test_the_page_can_be_cleared(owner_client, card):
    owner_client.post(_url(card), {"question": "Q", "answer": "A", "source_page": ""})
    card.refresh_from_db()
    assert card.source_page is None


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_saving_never_returns_to_another_site(owner_client, card, elsewhere):
    response = owner_client.post(
        reverse("flashcards:edit", args=[card.pk]), {"question": "Q?", "answer": "A.", "next": elsewhere}
    )
    assert response["Location"] == reverse("flashcards:lecture", args=[card.lecture_id])
