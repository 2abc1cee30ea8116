"""Flashcard generation end to end, in this process (the code a worker runs), on the real 35-page py4e
Expressions deck: cards of the three kinds, each on a real page of the lecture; regenerating never duplicates the
cards the student kept or edited."""

import pytest
from django.urls import reverse

from apps.flashcards import generate, services
from apps.flashcards.models import CardGeneration, Flashcard
from apps.lectures.models import LecturePage
from apps.lectures.tests.helpers import ingest_now, upload_file
from smartnotes.generation.cards import card_key

# the runner starts like a worker (close_old_connections), which needs real transactions
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    """No model endpoint: the cards are made from the notes themselves."""
    for name in ("OPENAI_BASE_URL", "CHAT_MODEL", "GENERATION_MODEL"):
        monkeypatch.delenv(name, raising=False)
    from smartnotes.ai import reset_caches

    reset_caches()


@pytest.fixture
def py4e(fixtures_dir, user, subject):
    lecture = ingest_now(upload_file(user, subject, fixtures_dir / "lectures/py4e_Pythonlearn-02-Expressions.pdf"))
    assert lecture.status == "completed", lecture.error_message
    return lecture


def _generate_now(client, lecture, count) -> CardGeneration:
    """Press "Make flashcards" and run the queued job here."""
    response = client.post(reverse("flashcards:generate", args=[lecture.pk]), {"count": count})
    assert response.status_code == 302
    generation = CardGeneration.objects.filter(lecture=lecture).latest("created_at")
    assert generation.task_id
    assert generate.run(generation.pk, generation.task_id) == "completed"
    generation.refresh_from_db()
    return generation


def test_cards_are_made_from_the_py4e_deck_each_on_a_real_page(owner_client, py4e):
    generation = _generate_now(owner_client, py4e, 30)

    assert generation.status == "completed"
    assert generation.made_offline
    cards = list(Flashcard.objects.filter(lecture=py4e))
    assert generation.created == len(cards) >= 20
    assert {c.card_type for c in cards} == {"basic", "cloze", "multiple_choice"}
    assert {c.origin for c in cards} == {"generated"}
    pages = {p.number: p.text for p in LecturePage.objects.filter(lecture=py4e)}
    assert len(pages) == 35
    for card in cards:
        assert card.source_page in pages, card.question
        assert card.subject_id == py4e.subject_id and card.owner_id == py4e.owner_id
        assert card.due_at is None  # new: due now
        if card.card_type == "cloze":
            assert "{{c1::" in card.question
        if card.card_type == "multiple_choice":
            assert len(card.options) == 4 and card.answer in card.options
        if card.figure_id:
            assert card.figure.lecture_id == py4e.pk
    assert len({c.dedup_key for c in cards}) == len(cards)
    # a card shows its page and links to it
    html = owner_client.get(reverse("flashcards:lecture", args=[py4e.pk])).content.decode()
    first = min(cards, key=lambda c: (c.source_page, c.pk))
    assert f'href="{reverse("lectures:page", args=[py4e.pk, first.source_page])}">p. {first.source_page}</a>' in html
    assert "new card" in owner_client.get(reverse("flashcards:generation", args=[generation.pk])).content.decode()


def test_regenerating_never_duplicates_kept_or_edited_cards(owner_client, user, py4e):
    _generate_now(owner_client, py4e, 20)
    first = list(Flashcard.objects.filter(lecture=py4e).order_by("pk"))
    edited = first[0]
    original = (edited.question, edited.answer)
    owner_client.post(
        reverse("flashcards:edit", args=[edited.pk]),
        {"question": edited.question + " (in Python 3)", "answer": edited.answer, "tags": "mine"},
    )
    deleted = first[1]
    deleted.delete()

    again = _generate_now(owner_client, py4e, 20)

    cards = list(Flashcard.objects.filter(lecture=py4e))
    assert again.status == "completed"
    assert len(cards) == len(first) - 1 + again.created
    keys = [card_key(c.question, c.answer) for c in cards]
    assert len(set(keys)) == len(keys), "a card was made twice"
    assert len({c.dedup_key for c in cards}) == len(cards)
    edited.refresh_from_db()
    assert edited.edited and edited.question.endswith("(in Python 3)")
    assert not Flashcard.objects.filter(lecture=py4e, question=original[0], answer=original[1]).exists()
    kept = {c.pk for c in first[2:]}
    assert kept <= {c.pk for c in cards}


def test_a_lecture_that_is_not_read_yet_is_refused(owner_client, lecture):
    from apps.lectures.models import Lecture

    Lecture.objects.filter(pk=lecture.pk).update(status="processing")
    response = owner_client.post(reverse("flashcards:generate", args=[lecture.pk]), {"count": 20}, follow=True)
    assert "is not ready yet" in response.content.decode()
    assert not CardGeneration.objects.exists()


@pytest.mark.parametrize("count", ["4", "101", "lots"])
def test_a_card_count_out_of_range_is_refused(owner_client, lecture, count):
    response = owner_client.post(reverse("flashcards:generate", args=[lecture.pk]), {"count": count}, follow=True)
    assert "Choose between 5 and 100 cards." in response.content.decode()
    assert not CardGeneration.objects.exists()


def test_a_second_click_while_one_is_running_queues_nothing(user, lecture):
    first = services.request_generation(actor=user, lecture=lecture, count=10)
    assert services.request_generation(actor=user, lecture=lecture, count=10) == first
    assert CardGeneration.objects.count() == 1


def test_a_lecture_without_text_fails_with_a_message(owner_client, lecture):
    owner_client.post(reverse("flashcards:generate", args=[lecture.pk]), {"count": 10})
    generation = CardGeneration.objects.get()
    generate.run(generation.pk, generation.task_id)
    generation.refresh_from_db()
    assert generation.status == "failed"
    assert "no readable text" in generation.error_message
    html = owner_client.get(reverse("flashcards:lecture", args=[lecture.pk])).content.decode()
    assert "no readable text" in html and "Retry" in html
