"""Logged-in pages cost the same number of queries however much a student has, and a book's lecture page stays
small: each page is rendered at two sizes of data and the query counts must be equal (no query per row)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.chat.models import Conversation, Message
from apps.lectures.models import LecturePage, LectureStatus
from tests.factories import FlashcardFactory, LectureFactory, SubjectFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE_TEXT = "Dynamic programming stores the answers of overlapping subproblems. " * 30


def _lecture(user, subject, pages: int, name: str):
    lecture = LectureFactory(owner=user, subject=subject, name=name, status=LectureStatus.COMPLETED, page_count=pages)
    LecturePage.objects.bulk_create(
        LecturePage(lecture=lecture, number=n, text=f"Page {n}. {PAGE_TEXT}", method="text")
        for n in range(1, pages + 1)
    )
    return lecture


def _student(size: int):
    """A student with ``size`` subjects of ``size`` lectures, two cards per lecture and a conversation of
    ``size`` questions and answers."""
    user = UserFactory()
    for s in range(size):
        subject = SubjectFactory(user=user, name=f"Subject {s}")
        for n in range(size):
            lecture = _lecture(user, subject, 3, f"Lecture {s}-{n}")
            FlashcardFactory.create_batch(2, lecture=lecture)
    conversation = Conversation.objects.create(owner=user, subject=subject, title="Revision")
    for n in range(size):
        Message.objects.create(conversation=conversation, role="user", content=f"Question {n}?")
        citation = {"lecture_id": lecture.pk, "lecture_name": lecture.name, "page": 1}
        Message.objects.create(
            conversation=conversation, role="assistant", content=f"Answer {n}.", citations=[citation]
        )
    return user, subject, conversation


def _cost(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), len(response.content)


def _urls(subject, conversation) -> dict[str, str]:
    return {
        "subject list": reverse("subjects:list"),
        "subject page": reverse("subjects:detail", args=[subject.pk]),
        "chat page": reverse("chat:detail", args=[conversation.pk]),
        "review page": reverse("flashcards:review"),
        "dashboard": reverse("study:dashboard"),
    }


def test_logged_in_pages_cost_the_same_queries_at_any_size(client):
    costs = {}
    for size in (2, 5):
        user, subject, conversation = _student(size)
        client.force_login(user)
        costs[size] = {name: _cost(client, url)[0] for name, url in _urls(subject, conversation).items()}
    assert costs[2] == costs[5]


def test_a_book_s_lecture_page_costs_what_a_short_deck_costs(owner_client, user):
    deck = _lecture(user, SubjectFactory(user=user), 35, "A deck")
    book = _lecture(user, SubjectFactory(user=user), 352, "A book")
    deck_queries, deck_bytes = _cost(owner_client, reverse("lectures:detail", args=[deck.pk]))
    book_queries, book_bytes = _cost(owner_client, reverse("lectures:detail", args=[book.pk]))
    assert book_queries == deck_queries
    assert book_bytes < 1.1 * deck_bytes  # the first batch of pages only, however long the book


def test_the_page_list_continues_batch_by_batch_to_the_last_page(owner_client, user):
    book = _lecture(user, SubjectFactory(user=user), 60, "A book")
    seen, after = [], None
    response = owner_client.get(reverse("lectures:detail", args=[book.pk]))
    while True:
        html = response.content.decode()
        seen += [n for n in range(1, 61) if f'id="page-{n}"' in html]
        marker = 'hx-get="' + reverse("lectures:pages", args=[book.pk]) + "?after="
        if marker not in html:
            break
        after = int(html.split(marker, 1)[1].split('"', 1)[0])
        assert f'href="{reverse("lectures:detail", args=[book.pk])}?after={after}#pages"' in html  # without JS
        response = owner_client.get(reverse("lectures:pages", args=[book.pk]), {"after": after})
        assert "<html" not in response.content.decode()  # a fragment
    assert seen == list(range(1, 61))
    assert after == 48


def test_the_page_list_without_javascript_shows_a_later_batch(owner_client, user):
    book = _lecture(user, SubjectFactory(user=user), 60, "A book")
    html = owner_client.get(reverse("lectures:detail", args=[book.pk]), {"after": 24}).content.decode()
    assert 'id="page-25"' in html and 'id="page-48"' in html and 'id="page-24"' not in html
    assert "Back to the first pages" in html
    assert "Page 25. Dynamic programming" in html  # the excerpt is shown


def test_another_student_cannot_read_the_page_list(other_client, user):
    book = _lecture(user, SubjectFactory(user=user), 30, "A book")
    assert other_client.get(reverse("lectures:pages", args=[book.pk]), {"after": 24}).status_code == 404


def test_a_shared_book_lists_its_pages_batch_by_batch(anon_client, user):
    from apps.sharing.tests.helpers import share

    book = _lecture(user, SubjectFactory(user=user), 60, "A book")
    _, code = share(user, lecture=book)
    html = anon_client.get(reverse("share:view", args=[code])).content.decode()
    assert 'id="page-24"' in html and 'id="page-25"' not in html
    assert f'hx-get="{reverse("share:pages", args=[code])}?after=24"' in html
    batch = anon_client.get(reverse("share:pages", args=[code]), {"after": 24}).content.decode()
    assert 'id="page-25"' in batch and 'id="page-48"' in batch and "?after=48" in batch
    assert anon_client.get(reverse("share:pages", args=["not-a-code"]), {"after": 24}).status_code == 410
