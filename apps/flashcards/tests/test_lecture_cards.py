"""GET /flashcards/lecture/<pk>/: a lecture's cards, searchable by text and #tag, filtered by state, paginated
(the search box swaps only the list with htmx)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import FlashcardFactory

pytestmark = pytest.mark.django_db


def _get(client, lecture, **params):
    return client.get(reverse("flashcards:lecture", args=[lecture.pk]), params)


@pytest.fixture
def deck(lecture):
    return {
        "modulo": FlashcardFactory(lecture=lecture, question="What does % give?", answer="The remainder", tags=["ops"]),
        "floor": FlashcardFactory(
            lecture=lecture, question="What does // give?", answer="Floor division", tags=["ops"]
        ),
        "string": FlashcardFactory(lecture=lecture, question="What is a string?", answer="Text", tags=["types"]),
        "due": FlashcardFactory(
            lecture=lecture, question="Due card", answer="x", due_at=timezone.now() - timedelta(hours=1), review_count=1
        ),
        "later": FlashcardFactory(
            lecture=lecture,
            question="Later card",
            answer="y",
            due_at=timezone.now() + timedelta(days=2),
            review_count=1,
        ),
        "suspended": FlashcardFactory(lecture=lecture, question="Suspended card", answer="z", suspended=True),
    }


def _shown(response, deck):
    html = response.content.decode()
    return {name for name, card in deck.items() if f'id="card-{card.pk}"' in html}


def test_it_lists_every_card_with_its_page_and_tags(owner_client, lecture, deck):
    response = _get(owner_client, lecture)
    html = response.content.decode()
    assert _shown(response, deck) == set(deck)
    assert "6 cards" in html
    assert f'href="{reverse("lectures:page", args=[lecture.pk, 1])}">p. 1</a>' in html
    assert "#ops" in html and "Suspended" in html


def test_search_by_text_looks_at_front_and_back(owner_client, lecture, deck):
    assert _shown(_get(owner_client, lecture, q="remainder"), deck) == {"modulo"}
    assert _shown(_get(owner_client, lecture, q="WHAT DOES"), deck) == {"modulo", "floor"}


def test_search_by_tag(owner_client, lecture, deck):
    assert _shown(_get(owner_client, lecture, q="#ops"), deck) == {"modulo", "floor"}
    assert _shown(_get(owner_client, lecture, q="types"), deck) == {"string"}


def test_filter_by_state(owner_client, lecture, deck):
    assert _shown(_get(owner_client, lecture, state="suspended"), deck) == {"suspended"}
    assert _shown(_get(owner_client, lecture, state="due"), deck) == {"modulo", "floor", "string", "due"}
    assert _shown(_get(owner_client, lecture, state="new"), deck) == {"modulo", "floor", "string", "suspended"}


def test_no_match_says_so(owner_client, lecture, deck):
    assert "No cards match." in _get(owner_client, lecture, q="zebra").content.decode()


def test_an_empty_lecture_invites_to_make_cards(owner_client, lecture):
    assert "No flashcards yet" in _get(owner_client, lecture).content.decode()


def test_htmx_search_gets_only_the_list(owner_client, lecture, deck, htmx_headers):
    response = owner_client.get(reverse("flashcards:lecture", args=[lecture.pk]), {"q": "#ops"}, **htmx_headers)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="card-list">')
    assert "<html" not in html
    assert _shown(response, deck) == {"modulo", "floor"}


def test_another_users_cards_are_never_listed(owner_client, other_user, lecture):
    theirs = FlashcardFactory(lecture__owner=other_user, question="What does % give?")
    html = _get(owner_client, lecture, q="%").content.decode()
    assert f'id="card-{theirs.pk}"' not in html


def test_cards_are_paginated_by_fifty_keeping_the_search(owner_client, lecture):
    cards = [FlashcardFactory(lecture=lecture, question=f"Card {n:03d}?", tags=["many"]) for n in range(120)]
    first = _get(owner_client, lecture, q="#many").content.decode()
    assert first.count('class="card card-row') == 50
    assert f'id="card-{cards[0].pk}"' in first and f'id="card-{cards[50].pk}"' not in first
    assert "?q=%23many&amp;page=2" in first
    last = _get(owner_client, lecture, q="#many", page=3).content.decode()
    assert last.count('class="card card-row') == 20
    assert f'id="card-{cards[119].pk}"' in last
    assert _get(owner_client, lecture, page=99).status_code == 200  # past the end: the last page
