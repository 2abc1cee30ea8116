"""GET /flashcards/review/: the keyboard-first review page: the card, its answer hidden, and four grade
buttons that say what each would do ("Good · 4d")."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from apps.flashcards import reviewing, scheduling
from tests.factories import FlashcardFactory

from .conftest import set_algorithm

pytestmark = pytest.mark.django_db
REVIEW = reverse("flashcards:review")


def _buttons(html):
    return re.findall(r'<span>((?:Again|Hard|Good|Easy) · [^<]+)</span> <kbd class="kbd">([1-4])</kbd>', html)


def test_a_new_fsrs_card_shows_its_learning_steps(owner_client, user, card):
    set_algorithm(user, "fsrs")
    buttons = _buttons(owner_client.get(REVIEW).content.decode())
    assert [key for _, key in buttons] == ["1", "2", "3", "4"]
    labels = [label for label, _ in buttons]
    assert labels[0] == "Again · 1m"
    assert labels[2] == "Good · 10m"
    assert re.fullmatch(r"Easy · \d+d", labels[3])


def test_a_reviewed_fsrs_card_shows_days(owner_client, user, lecture, clock):
    set_algorithm(user, "fsrs")
    card = FlashcardFactory(lecture=lecture)
    for rating, later in ((3, 0), (3, 15)):
        clock.advance(minutes=later)
        card.refresh_from_db()
        reviewing.grade_card(actor=user, card_id=card.pk, rating=rating, seen_count=card.review_count)
    card.refresh_from_db()
    clock.at = card.due_at
    scheduler = scheduling.scheduler_for("fsrs", fuzz=False)
    expected = [
        f"{name} · {scheduling.format_interval(delta)}"
        for (_, name), delta in zip(
            scheduler.ratings(), scheduler.preview(reviewing.state_of(card), clock.at).values(), strict=True
        )
    ]
    labels = [label for label, _ in _buttons(owner_client.get(REVIEW).content.decode())]
    assert labels == expected
    assert re.fullmatch(r"Good · \d+d", labels[2])


def test_an_sm2_card_shows_the_seeds_intervals(owner_client, user, lecture, clock):
    set_algorithm(user, "sm2")
    FlashcardFactory(
        lecture=lecture, due_at=clock.at - timedelta(hours=1), repetitions=2, interval_days=6, ease_factor=2.5,
        review_count=2, last_reviewed_at=clock.at - timedelta(days=6),
    )  # fmt: skip
    labels = [label for label, _ in _buttons(owner_client.get(REVIEW).content.decode())]
    assert labels == ["Again · 1d", "Hard · 15d", "Good · 15d", "Easy · 15d"]


def test_the_answer_is_hidden_until_the_card_is_flipped(owner_client, card):
    html = owner_client.get(REVIEW).content.decode()
    assert 'data-state="front"' in html
    assert '<div class="review-back" data-back hidden>' in html
    assert "data-back hidden>" in html.split('class="review-grades"')[1][:400]
    assert "Floor division." in html.split('class="review-back"')[1]
    assert f'name="seen" value="{card.review_count}"' in html
    assert "js/review.js" in html


def test_a_cloze_card_hides_its_term_on_the_front(owner_client, lecture):
    FlashcardFactory(lecture=lecture, card_type="cloze", question="The {{c1::modulo}} operator is %.", answer="modulo")
    html = owner_client.get(REVIEW).content.decode()
    front, back = html.split('class="review-back"')
    assert 'The <span class="cloze-gap">[…]</span> operator is %.' in front
    assert "modulo" not in front.split('class="review-front"')[1]
    assert '<mark class="cloze-answer">modulo</mark>' in back


def test_card_text_is_escaped(owner_client, lecture):
    FlashcardFactory(lecture=lecture, question="<script>alert(1)</script>", answer="<b>x</b>")
    html = owner_client.get(REVIEW).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_card_links_to_its_page(owner_client, card):
    html = owner_client.get(REVIEW).content.decode()
    assert f'href="{reverse("lectures:page", args=[card.lecture_id, 1])}">p. 1</a>' in html


def test_an_htmx_request_gets_only_the_card(owner_client, card, htmx_headers):
    response = owner_client.get(REVIEW, **htmx_headers)
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="review" id="review-card"')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_nothing_to_review_says_what_to_do(owner_client, lecture):
    html = owner_client.get(REVIEW).content.decode()
    assert "Nothing to review" in html
    assert "Make flashcards from a lecture" in html


def test_when_everything_is_done_it_says_when_the_next_card_is_due(owner_client, user, card, clock):
    reviewing.grade_card(actor=user, card_id=card.pk, rating=4, seen_count=0)
    html = owner_client.get(REVIEW).content.decode()
    assert "All done for now" in html
    assert "The next card is due" in html and "from now" in html
    assert "Undo the last grade" in html


def test_the_labels_follow_the_desired_retention(owner_client, user, lecture, clock):
    from apps.accounts.models import Profile

    set_algorithm(user, "fsrs")
    card = FlashcardFactory(
        lecture=lecture, due_at=clock.at - timedelta(hours=1), last_reviewed_at=clock.at - timedelta(days=3),
        review_count=3, fsrs_state=2, fsrs_step=None, stability=3.0, difficulty=5.0,
    )  # fmt: skip
    seen = []
    for retention in (0.97, 0.9, 0.8):
        Profile.objects.filter(user=user).update(desired_retention=retention)
        labels = [label for label, _ in _buttons(owner_client.get(REVIEW).content.decode())]
        scheduler = scheduling.scheduler_for("fsrs", desired_retention=retention)
        assert labels == [text for _, text in scheduling.preview_labels(scheduler, reviewing.state_of(card), clock.at)]
        seen.append(labels[2])
    assert seen == ["Good · 2d", "Good · 11d", "Good · 1mo"]
