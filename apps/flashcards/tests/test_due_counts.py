"""Cards due everywhere: the subject list's "Cards due", the subject page's "Due today", and the lecture page's
list of its cards."""

from datetime import timedelta

import pytest
from django.urls import reverse

from apps.flashcards import reviewing
from tests.factories import FlashcardFactory, LectureFactory, SubjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(user, lecture, clock):
    """In Algorithms: 2 new cards, 1 overdue, 1 due later today, 1 due in 3 days, 1 in 20 days, 1 suspended."""
    now = clock.at
    FlashcardFactory(lecture=lecture)
    FlashcardFactory(lecture=lecture)
    FlashcardFactory(lecture=lecture, due_at=now - timedelta(days=1), review_count=1)
    FlashcardFactory(lecture=lecture, due_at=now + timedelta(hours=5), review_count=1)
    FlashcardFactory(lecture=lecture, due_at=now + timedelta(days=3), review_count=1)
    FlashcardFactory(lecture=lecture, due_at=now + timedelta(days=20), review_count=1)
    FlashcardFactory(lecture=lecture, suspended=True)
    other = SubjectFactory(user=user, name="Databases")
    FlashcardFactory(lecture=LectureFactory(owner=user, subject=other, status="completed"))
    return other


def _subject_stat(html, name):
    import re

    match = re.search(rf"<dt>{name}</dt><dd[^>]*>(\d+)</dd>", html)
    assert match, f"no {name} on the page"
    return int(match.group(1))


def test_the_subject_page_counts_cards_due_today_and_this_week(owner_client, subject, spread):
    html = owner_client.get(reverse("subjects:detail", args=[subject.pk])).content.decode()
    assert _subject_stat(html, "Cards") == 7
    assert _subject_stat(html, "Due today") == 4
    assert _subject_stat(html, "Due this week") == 5
    assert "Review 4 due cards" in html


def test_the_subject_list_counts_cards_due_today(owner_client, subject, spread):
    import re

    html = owner_client.get(reverse("subjects:list")).content.decode()
    counts = [int(n) for n in re.findall(r"<dt>Cards due</dt><dd>(\d+)</dd>", html)]
    assert sorted(counts) == [1, 4]  # Databases, Algorithms


def test_the_counts_drop_when_cards_are_reviewed(owner_client, user, subject, lecture, clock):
    cards = [FlashcardFactory(lecture=lecture) for _ in range(3)]
    page = reverse("subjects:detail", args=[subject.pk])
    assert _subject_stat(owner_client.get(page).content.decode(), "Due today") == 3
    reviewing.grade_card(actor=user, card_id=cards[0].pk, rating=4, seen_count=0)  # Easy: days away
    reviewing.grade_card(actor=user, card_id=cards[1].pk, rating=3, seen_count=0)  # Good: 10 minutes, still today
    assert _subject_stat(owner_client.get(page).content.decode(), "Due today") == 2
    reviewing.undo_last(actor=user)
    reviewing.undo_last(actor=user)
    assert _subject_stat(owner_client.get(page).content.decode(), "Due today") == 3


def test_a_subject_without_cards_says_how_to_get_some(owner_client, subject):
    html = owner_client.get(reverse("subjects:detail", args=[subject.pk])).content.decode()
    assert _subject_stat(html, "Due today") == 0
    assert "Make flashcards" in html


def test_another_users_cards_are_not_counted(owner_client, other_user, subject, clock):
    theirs = FlashcardFactory(lecture__owner=other_user)
    html = owner_client.get(reverse("subjects:detail", args=[subject.pk])).content.decode()
    assert _subject_stat(html, "Cards") == 0
    assert theirs.subject_id != subject.pk


def test_the_lecture_page_lists_its_cards(owner_client, user, lecture):
    cards = [FlashcardFactory(lecture=lecture, source_page=n) for n in range(1, 8)]
    FlashcardFactory(lecture__owner=user, question="From another lecture?")
    html = owner_client.get(reverse("lectures:detail", args=[lecture.pk])).content.decode()
    assert 'Flashcards <span class="muted small">(7)</span>' in html
    assert sum(f'id="card-{c.pk}"' in html for c in cards) == 5  # the first five, then a link to all
    assert "All 7 cards" in html
    assert "From another lecture?" not in html


def test_a_lecture_without_cards_says_so(owner_client, lecture):
    html = owner_client.get(reverse("lectures:detail", args=[lecture.pk])).content.decode()
    assert "No flashcards for this lecture yet." in html
