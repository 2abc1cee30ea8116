"""Another user's documents never show up: not in the selectors, not in a lecture's panel or page, not on an exam
page, not in a quiz's attempts."""

import pytest
from django.urls import reverse

from apps.documents import selectors
from tests.factories import GeneratedDocumentFactory, QuizAttemptFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(other_user):
    return GeneratedDocumentFactory(lecture__owner=other_user, lecture__name="Their lecture")


@pytest.fixture
def planted(other_user, lecture):
    """A row that claims another owner on the owner's own lecture (it cannot be made through the app)."""
    return GeneratedDocumentFactory(lecture=lecture, owner=other_user, doc_type="cheat_sheet")


def test_the_selectors_only_return_the_users_own_documents(user, other_user, quiz, theirs, planted, lecture):
    assert list(selectors.documents_for_user(user)) == [quiz]
    assert list(selectors.documents_for_lecture(user, lecture)) == [quiz]
    assert list(selectors.documents_for_lecture(user, theirs.lecture)) == []
    assert set(selectors.documents_for_user(other_user)) == {theirs, planted}


def test_the_lecture_panel_and_page_show_only_the_users_documents(owner_client, lecture, quiz, planted):
    for url in (reverse("documents:lecture", args=[lecture.pk]), reverse("lectures:detail", args=[lecture.pk])):
        html = owner_client.get(url).content.decode()
        assert f'id="document-{quiz.pk}"' in html, url
        assert f'id="document-{planted.pk}"' not in html, url
        assert reverse("documents:detail", args=[planted.pk]) not in html, url


def test_the_exam_page_shows_only_the_users_answers(owner_client, other_user, exam):
    mine = GeneratedDocumentFactory(lecture=exam, doc_type="past_paper")
    planted = GeneratedDocumentFactory(lecture=exam, owner=other_user, doc_type="past_paper")
    html = owner_client.get(reverse("documents:exam", args=[exam.pk])).content.decode()
    assert f'id="document-{mine.pk}"' in html and f'id="document-{planted.pk}"' not in html


def test_a_planted_document_stays_404_for_the_lecture_owner(owner_client, planted):
    for name in ("detail", "status", "download", "delete"):
        assert owner_client.get(reverse(f"documents:{name}", args=[planted.pk])).status_code == 404, name


def test_the_quiz_page_lists_only_the_users_attempts(owner_client, other_user, quiz):
    mine = QuizAttemptFactory(document=quiz)
    planted = QuizAttemptFactory(document=quiz, owner=other_user)
    html = owner_client.get(reverse("documents:detail", args=[quiz.pk])).content.decode()
    assert reverse("documents:attempt", args=[quiz.pk, mine.pk]) in html
    assert reverse("documents:attempt", args=[quiz.pk, planted.pk]) not in html
    assert owner_client.get(reverse("documents:attempt", args=[quiz.pk, planted.pk])).status_code == 404


def test_a_users_rate_limit_and_versions_ignore_another_users_rows(user, lecture, planted):
    from apps.documents import services

    document = services.request_document(actor=user, lecture=lecture, doc_type="quiz")
    assert document.version == 1
