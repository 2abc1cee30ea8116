"""The "Make flashcards from your weakest pages" action: the dashboard's weakest pages become a flashcard
generation (the existing job, run in this process) limited to those pages, on the real py4e Expressions deck,
offline."""

import pytest
from django.urls import reverse

from apps.flashcards import generate
from apps.flashcards.models import CardGeneration, Flashcard
from apps.lectures.tests.helpers import ingest_now, upload_file
from apps.study.models import SessionType
from apps.study.tests.conftest import session

# the runner starts like a worker (close_old_connections), which needs real transactions
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    for name in ("OPENAI_BASE_URL", "CHAT_MODEL", "GENERATION_MODEL"):
        monkeypatch.delenv(name, raising=False)
    from smartnotes.ai import reset_caches

    reset_caches()


def test_the_weakest_pages_become_a_flashcard_set_from_those_pages_only(fixtures_dir, user, subject, owner_client):
    lecture = ingest_now(upload_file(user, subject, fixtures_dir / "lectures/py4e_Pythonlearn-02-Expressions.pdf"))
    assert lecture.status == "completed", lecture.error_message
    for _ in range(2):
        session(user, SessionType.QUIZ, days_ago=1, seconds=300, lecture=lecture, score=40.0,
                questions=[(12, False), (20, False), (25, True), (3, True)])  # fmt: skip

    html = owner_client.get(reverse("study:dashboard")).content.decode()
    assert "Make flashcards from your weakest pages" in html and "pages 12, 20." in html

    response = owner_client.post(reverse("study:remedial"))
    assert response.status_code == 302 and response["Location"] == reverse("flashcards:lecture", args=[lecture.pk])
    generation = CardGeneration.objects.get(lecture=lecture)
    assert generation.pages == [12, 20] and generation.requested == 10
    assert generate.run(generation.pk, generation.task_id) == "completed"
    generation.refresh_from_db()
    cards = list(Flashcard.objects.filter(lecture=lecture))
    assert generation.created == len(cards) > 0
    assert {c.source_page for c in cards} <= {12, 20}, sorted({c.source_page for c in cards})
