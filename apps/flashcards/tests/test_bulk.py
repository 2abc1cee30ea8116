"""POST /flashcards/lecture/<pk>/bulk/: suspend, unsuspend, tag, untag or delete the selected cards; ids of other
users' cards are ignored."""

import pytest
from django.urls import reverse

from apps.flashcards.models import Flashcard
from tests.factories import FlashcardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(other_user):
    return FlashcardFactory(lecture__owner=other_user, tags=["keep"])


def _bulk(client, lecture, ids, action, tag=""):
    url = reverse("flashcards:bulk", args=[lecture.pk])
    return client.post(url, {"card": [str(i) for i in ids], "action": action, "tag": tag}, follow=True)


def test_it_suspends_and_unsuspends_the_selected_cards_only(owner_client, lecture, cards, theirs):
    html = _bulk(owner_client, lecture, [cards[0].pk, cards[1].pk, theirs.pk], "suspend").content.decode()
    assert "2 cards changed." in html
    assert list(Flashcard.objects.filter(suspended=True).order_by("pk")) == cards[:2]
    _bulk(owner_client, lecture, [cards[0].pk, theirs.pk], "unsuspend")
    assert list(Flashcard.objects.filter(suspended=True)) == [cards[1]]


def test_it_tags_and_untags(owner_client, lecture, cards, theirs):
    html = _bulk(owner_client, lecture, [c.pk for c in cards] + [theirs.pk], "tag", "#exam!").content.decode()
    assert "3 cards changed." in html
    assert all(c.tags == ["exam"] for c in Flashcard.objects.filter(pk__in=[c.pk for c in cards]))
    _bulk(owner_client, lecture, [cards[0].pk, theirs.pk], "untag", "exam")
    assert Flashcard.objects.get(pk=cards[0].pk).tags == []
    theirs.refresh_from_db()
    assert theirs.tags == ["keep"]


def test_tagging_twice_adds_the_tag_once(owner_client, lecture, card):
    _bulk(owner_client, lecture, [card.pk], "tag", "ops")
    html = _bulk(owner_client, lecture, [card.pk], "tag", "ops").content.decode()
    assert "0 cards changed." in html
    card.refresh_from_db()
    assert card.tags == ["ops"]


def test_it_deletes_the_selected_cards_but_never_another_users(owner_client, lecture, cards, theirs):
    html = _bulk(owner_client, lecture, [cards[0].pk, cards[2].pk, theirs.pk, "junk"], "delete").content.decode()
    assert "2 cards changed." in html
    assert set(Flashcard.objects.values_list("pk", flat=True)) == {cards[1].pk, theirs.pk}


def test_an_unknown_action_or_a_missing_tag_is_refused(owner_client, lecture, cards):
    assert "Choose what to do" in _bulk(owner_client, lecture, [cards[0].pk], "explode").content.decode()
    assert "Type a tag first." in _bulk(owner_client, lecture, [cards[0].pk], "tag", "  ").content.decode()
    assert all(c.tags == [] and not c.suspended for c in Flashcard.objects.all())


def test_nothing_selected_changes_nothing(owner_client, lecture, cards):
    assert "0 cards changed." in _bulk(owner_client, lecture, [], "delete").content.decode()
    assert Flashcard.objects.count() == 3
