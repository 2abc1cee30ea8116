"""Chat pages: every view with the owner (200), another user (404) and an anonymous visitor (login)."""

import pytest
from django.urls import reverse

from apps.chat import services
from apps.chat.models import Conversation, Message
from apps.chat.tests.helpers import make_lecture
from apps.study.models import StudySession

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture(user, subject):
    return make_lecture(user, subject)


@pytest.fixture
def conversation(user, lecture):
    conversation = services.start_conversation(actor=user, lecture=lecture)
    Message.objects.create(conversation=conversation, role="user", content="What is <b>ATP</b>?", kind="question")
    Message.objects.create(
        conversation=conversation,
        role="assistant",
        content="ATP is made by **ATP synthase** [Cell Biology, p. 4].\n\n<script>alert(1)</script>",
        citations=[
            {
                "lecture_id": lecture.pk,
                "lecture_name": "Cell Biology",
                "page": 4,
                "chunk_id": 1,
                "snippet": "ATP synthase",
            }
        ],
    )
    conversation.title = "ATP questions"
    conversation.save()
    return conversation


def _get_urls(conversation, lecture, subject):
    return [
        reverse("chat:lecture", args=[lecture.pk]),
        reverse("chat:subject", args=[subject.pk]),
        reverse("chat:detail", args=[conversation.pk]),
        reverse("chat:rename", args=[conversation.pk]),
        reverse("chat:delete", args=[conversation.pk]),
    ]


def test_get_views_for_three_personas(owner_client, other_client, anon_client, conversation, lecture, subject):
    for url in _get_urls(conversation, lecture, subject):
        assert owner_client.get(url).status_code == 200, url
        assert other_client.get(url).status_code == 404, url
        response = anon_client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login")), url


def test_post_views_for_three_personas(owner_client, other_client, anon_client, conversation, lecture, subject):
    posts = [
        (reverse("chat:new_lecture", args=[lecture.pk]), {}),
        (reverse("chat:new_subject", args=[subject.pk]), {}),
        (reverse("chat:rename", args=[conversation.pk]), {"title": "Renamed"}),
        (reverse("chat:delete", args=[conversation.pk]), {}),
    ]
    for url, data in posts:
        assert other_client.post(url, data).status_code == 404, url
        response = anon_client.post(url, data)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login")), url
    assert Conversation.objects.filter(owner__isnull=False).count() == 1
    conversation.refresh_from_db()
    assert conversation.title == "ATP questions"
    for url, data in posts:
        assert owner_client.post(url, data).status_code == 302, url
    assert not Conversation.objects.filter(pk=conversation.pk).exists()
    assert Conversation.objects.count() == 2  # the two new ones


def test_the_lecture_and_subject_pages_link_to_chat(owner_client, lecture, subject):
    assert (
        reverse("chat:lecture", args=[lecture.pk])
        in owner_client.get(reverse("lectures:detail", args=[lecture.pk])).text
    )
    assert (
        reverse("chat:subject", args=[subject.pk])
        in owner_client.get(reverse("subjects:detail", args=[subject.pk])).text
    )


def test_the_conversation_list(owner_client, conversation, lecture, subject):
    page = owner_client.get(reverse("chat:lecture", args=[lecture.pk])).text
    assert "ATP questions" in page and reverse("chat:detail", args=[conversation.pk]) in page
    assert "1 question" in page
    assert reverse("chat:new_lecture", args=[lecture.pk]) in page
    # The subject page lists subject-wide conversations and, apart, the lecture ones.
    subject_page = owner_client.get(reverse("chat:subject", args=[subject.pk])).text
    assert "Conversations about single lectures" in subject_page and "ATP questions" in subject_page


def test_an_empty_list_has_an_empty_state(owner_client, lecture):
    page = owner_client.get(reverse("chat:lecture", args=[lecture.pk])).text
    assert "No conversations yet" in page and "Start a conversation" in page


def test_new_conversation_opens_it_and_starts_a_study_session(owner_client, user, lecture):
    response = owner_client.post(reverse("chat:new_lecture", args=[lecture.pk]))
    conversation = Conversation.objects.get()
    assert response["Location"] == reverse("chat:detail", args=[conversation.pk])
    assert conversation.lecture == lecture and conversation.owner == user
    session = StudySession.objects.get()
    assert conversation.study_session == session and session.session_type == "chat"


def test_the_conversation_page(owner_client, conversation, lecture):
    page = owner_client.get(reverse("chat:detail", args=[conversation.pk])).text
    assert f'ws-connect="/ws/chat/{conversation.pk}/"' in page
    assert 'name="message"' in page and "data-hotkey-focus" in page and 'name="use_web"' in page
    # The question is escaped; the answer is rendered Markdown, sanitised, with a citation pill.
    assert "What is &lt;b&gt;ATP&lt;/b&gt;?" in page
    assert "<strong>ATP synthase</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert f'hx-get="/lectures/{lecture.pk}/pages/4/"' in page and 'id="page-panel"' in page
    assert "js/chat.js" in page


def test_an_empty_conversation_suggests_questions(owner_client, user, lecture):
    conversation = services.start_conversation(actor=user, lecture=lecture)
    page = owner_client.get(reverse("chat:detail", args=[conversation.pk])).text
    assert 'id="chat-empty"' in page and "data-suggestion=" in page


def test_offline_mode_is_announced_on_the_page(offline_env, owner_client, conversation):
    page = owner_client.get(reverse("chat:detail", args=[conversation.pk])).text
    assert "Offline mode" in page


def test_inline_rename(owner_client, conversation, htmx_headers):
    url = reverse("chat:rename", args=[conversation.pk])
    form = owner_client.get(url, **htmx_headers).text
    assert "<form" in form and 'name="title"' in form and "<html" not in form
    response = owner_client.post(url, {"title": "Exam revision"}, **htmx_headers)
    assert "Exam revision" in response.text and "<html" not in response.text
    conversation.refresh_from_db()
    assert conversation.title == "Exam revision"
    invalid = owner_client.post(url, {"title": "   "}, **htmx_headers)
    assert "Give the conversation a name." in invalid.text
    cancel = owner_client.get(url + "?cancel=1", **htmx_headers).text
    assert "Exam revision" in cancel and "<form" not in cancel


def test_delete_from_the_list_with_htmx(owner_client, conversation, htmx_headers):
    response = owner_client.post(reverse("chat:delete", args=[conversation.pk]), {"from": "list"}, **htmx_headers)
    assert response.status_code == 200 and response.text == ""
    assert not Conversation.objects.exists()


def test_delete_needs_a_confirmation_and_a_post(owner_client, conversation):
    page = owner_client.get(reverse("chat:delete", args=[conversation.pk])).text
    assert "Delete “ATP questions”?" in page
    assert Conversation.objects.exists()
    detail = owner_client.get(reverse("chat:detail", args=[conversation.pk])).text
    assert "data-confirm=" in detail


@pytest.mark.django_db(transaction=True)
def test_asking_without_javascript_posts_the_form(offline_env, owner_client, user, subject):
    lecture = make_lecture(user, subject)
    conversation = services.start_conversation(actor=user, lecture=lecture)
    response = owner_client.post(
        reverse("chat:detail", args=[conversation.pk]), {"message": "Where does photosynthesis happen?"}
    )
    assert response.status_code == 302
    page = owner_client.get(reverse("chat:detail", args=[conversation.pk])).text
    assert "Where does photosynthesis happen?" in page and "chloroplasts" in page
