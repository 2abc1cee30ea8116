"""POST /flashcards/<pk>/suspend/: suspend and unsuspend a card (the lecture page swaps the row with htmx)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _url(card):
    return reverse("flashcards:suspend", args=[card.pk])


def test_it_suspends_and_unsuspends(owner_client, card):
    assert owner_client.post(_url(card), {"suspended": "1"}).status_code == 302
    card.refresh_from_db()
    assert card.suspended
    owner_client.post(_url(card), {"suspended": "0"})
    card.refresh_from_db()
    assert not card.suspended


def test_htmx_gets_the_new_row(owner_client, card, htmx_headers):
    html = owner_client.post(_url(card), {"suspended": "1"}, **htmx_headers).content.decode()
    assert html.lstrip().startswith(f'<li class="card card-row is-suspended" id="card-{card.pk}">')
    assert "Unsuspend" in html
    assert 'name="suspended" value="0"' in html


def test_a_suspended_card_keeps_its_schedule(owner_client, card):
    from datetime import timedelta

    from django.utils import timezone

    due = timezone.now() + timedelta(days=3)
    card.due_at, card.interval_days = due, 3
    card.save()
    owner_client.post(_url(card), {"suspended": "1"})
    owner_client.post(_url(card), {"suspended": "0"})
    card.refresh_from_db()
    assert (card.due_at, card.interval_days) == (due, 3)
