"""The chat websocket against the real ASGI application (auth, origin check, routing) and the fake model."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import override_settings

from apps.chat import services
from apps.chat.models import Message, MessageStatus, Role
from apps.chat.tests.helpers import make_lecture, session_headers
from smartnotes.asgi import application
from tests.factories import SubjectFactory
from tests.fake_openai import split_tokens

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

QUESTION = "Where does photosynthesis take place?"
REPLY = "Photosynthesis takes place in the **chloroplasts** [Cell Biology, p. 2], using light energy."


@pytest.fixture
def conversation(user, subject):
    lecture = make_lecture(user, subject)
    return services.start_conversation(actor=user, lecture=lecture)


async def _connect(user, conversation_id, query=""):
    headers = await sync_to_async(session_headers)(user)
    communicator = WebsocketCommunicator(application, f"/ws/chat/{conversation_id}/{query}", headers=headers)
    connected, code = await communicator.connect(timeout=10)
    return communicator, connected, code


async def _until_done(communicator, timeout=60):
    events = []
    while True:
        event = await communicator.receive_json_from(timeout=timeout)
        events.append(event)
        if event["type"] in ("done", "error"):
            return events


async def test_anonymous_sockets_are_refused(conversation):
    communicator = WebsocketCommunicator(
        application, f"/ws/chat/{conversation.pk}/", headers=[(b"origin", b"http://localhost")]
    )
    connected, code = await communicator.connect()
    assert not connected and code == 4401


async def test_another_users_conversation_is_refused(conversation, other_user):
    communicator, connected, code = await _connect(other_user, conversation.pk)
    assert not connected and code == 4404
    communicator, connected, code = await _connect(other_user, 999999)
    assert not connected and code == 4404


async def test_tokens_stream_in_order_and_end_with_citations(fake_openai_env, user, conversation):
    fake_openai_env.reply = REPLY
    communicator, connected, _ = await _connect(user, conversation.pk, "?format=json")
    assert connected
    await communicator.send_json_to({"message": QUESTION})
    events = await _until_done(communicator)
    start, *tokens, done = events
    assert start["type"] == "start" and start["title"] == QUESTION
    assert [t["type"] for t in tokens] == ["token"] * len(tokens)
    assert [t["text"] for t in tokens] == split_tokens(REPLY)  # every token, in order
    assert done["type"] == "done" and done["message_id"] == start["message_id"]
    assert done["content"] == REPLY and done["status"] == "complete"
    assert [(c["lecture_name"], c["page"]) for c in done["citations"]] == [("Cell Biology", 2)]
    assert "<strong>chloroplasts</strong>" in done["html"] and 'class="citation"' in done["html"]
    await communicator.disconnect()
    saved = await sync_to_async(Message.objects.get)(pk=done["message_id"])
    assert saved.content == REPLY and saved.status == MessageStatus.COMPLETE


async def test_the_page_receives_html_fragments_for_htmx(fake_openai_env, user, conversation):
    fake_openai_env.reply = REPLY
    communicator, connected, _ = await _connect(user, conversation.pk)
    assert connected
    # What the htmx ws extension sends for the chat form.
    await communicator.send_json_to({"message": QUESTION, "use_web": "", "HEADERS": {"HX-Request": "true"}})
    start = await communicator.receive_from(timeout=60)
    assert '<div id="chat-log" hx-swap-oob="beforeend">' in start
    assert "Where does photosynthesis take place?" in start
    message_id = (await sync_to_async(Message.objects.filter(role=Role.ASSISTANT).get)()).pk
    assert f'id="msg-{message_id}-body"' in start
    streamed = ""
    while True:
        frame = await communicator.receive_from(timeout=30)
        if frame.startswith(f'<span id="msg-{message_id}-body" hx-swap-oob="beforeend">'):
            streamed += frame.split(">", 1)[1].rsplit("</span>", 1)[0]
            continue
        final = frame
        break
    assert streamed == REPLY  # the tokens, in order (HTML-escaped: nothing to escape here)
    assert f'id="msg-{message_id}"' in final and 'hx-swap-oob="outerHTML"' in final
    assert "<strong>chloroplasts</strong>" in final
    lecture_id = conversation.lecture_id
    assert f'hx-get="/lectures/{lecture_id}/pages/2/"' in final and 'hx-target="#page-panel-body"' in final
    await communicator.disconnect()


async def test_tokens_are_escaped_in_html_mode(fake_openai_env, user, conversation):
    fake_openai_env.reply = "<script>alert(1)</script> in the chloroplasts"
    communicator, _, _ = await _connect(user, conversation.pk)
    await communicator.send_json_to({"message": QUESTION})
    frames = []
    while True:
        frame = await communicator.receive_from(timeout=60)
        frames.append(frame)
        if 'hx-swap-oob="outerHTML"' in frame:
            break
    assert not any("<script>" in f for f in frames)
    assert any("&lt;script&gt;" in f for f in frames)
    await communicator.disconnect()


@override_settings(CHAT_RATE_PER_MINUTE=2)
async def test_over_the_rate_limit_the_socket_says_when_to_retry(offline_env, user, conversation):
    communicator, _, _ = await _connect(user, conversation.pk, "?format=json")
    for _ in range(2):
        await communicator.send_json_to({"message": QUESTION})
        assert (await _until_done(communicator))[-1]["type"] == "done"
    await communicator.send_json_to({"message": QUESTION})
    error = (await _until_done(communicator))[-1]
    assert error["type"] == "error" and error["code"] == "rate_limited"
    assert 1 <= error["retry_after"] <= 60
    assert f"try again in {error['retry_after']} s" in error["message"]
    await communicator.disconnect()
    # The page version shows the same sentence.
    page, _, _ = await _connect(user, conversation.pk)
    await page.send_json_to({"message": QUESTION})
    html = await page.receive_from(timeout=30)
    assert "You're sending messages quickly — try again in" in html and 'data-code="rate_limited"' in html
    await page.disconnect()


async def test_offline_mode_over_the_socket(offline_env, user, conversation):
    communicator, _, _ = await _connect(user, conversation.pk, "?format=json")
    await communicator.send_json_to({"message": QUESTION})
    events = await _until_done(communicator)
    done = events[-1]
    assert [e["type"] for e in events] == ["start", "done"]
    assert done["offline"] and done["kind"] == "extractive"
    assert done["notice"] == "AI model not configured: showing the most relevant passages from your notes"
    assert done["citations"][0]["page"] == 2
    await communicator.disconnect()


async def test_a_second_question_while_streaming_is_refused(fake_openai_env, user, conversation):
    fake_openai_env.reply = "Chloroplasts " * 30
    fake_openai_env.token_delay_s = 0.02
    communicator, _, _ = await _connect(user, conversation.pk, "?format=json")
    await communicator.send_json_to({"message": QUESTION})
    assert (await communicator.receive_json_from(timeout=60))["type"] == "start"
    await communicator.send_json_to({"message": "Another one"})
    seen_busy = False
    while True:
        event = await communicator.receive_json_from(timeout=30)
        if event["type"] == "error":
            assert event["code"] == "busy"
            seen_busy = True
        if event["type"] == "done":
            break
    assert seen_busy
    await communicator.disconnect()


async def test_bad_frames_get_an_error_not_a_crash(offline_env, user, conversation):
    communicator, _, _ = await _connect(user, conversation.pk, "?format=json")
    await communicator.send_to(text_data="not json")
    assert (await communicator.receive_json_from(timeout=10))["code"] == "invalid"
    await communicator.send_json_to({"message": "   "})
    assert (await communicator.receive_json_from(timeout=10))["code"] == "invalid"
    await communicator.disconnect()


async def test_another_users_chunks_never_reach_the_chat(fake_openai_env, user, other_user, conversation):
    other_subject = await sync_to_async(SubjectFactory)(user=other_user)
    await sync_to_async(make_lecture)(
        other_user,
        other_subject,
        name="Secret",
        pages=["Photosynthesis in the secret greenhouse of Zorblax happens at night."],
    )
    communicator, _, _ = await _connect(user, conversation.pk, "?format=json")
    await communicator.send_json_to({"message": "Where does photosynthesis happen in Zorblax's greenhouse?"})
    done = (await _until_done(communicator))[-1]
    assert all(c["lecture_name"] == "Cell Biology" for c in done["citations"])
    prompt = fake_openai_env.last_messages[-1]["content"] if fake_openai_env.chat_requests else ""
    assert "Zorblax" not in prompt.split("Question:")[0]
    await communicator.disconnect()


async def test_web_search_toggle_failing_over_the_socket(fake_openai_env, user, conversation):
    # tests/conftest.py makes ddgs fail as it does without a network.
    communicator, _, _ = await _connect(user, conversation.pk, "?format=json")
    await communicator.send_json_to({"message": QUESTION, "use_web": "on"})
    done = (await _until_done(communicator))[-1]
    assert done["web_notice"] == "Web search is unavailable right now; answering from your notes only"
    assert done["kind"] == "answer" and done["citations"]
    assert len(fake_openai_env.chat_requests) == 1
    await communicator.disconnect()


async def test_a_deleted_conversation_answers_with_an_error(offline_env, user, conversation):
    communicator, _, _ = await _connect(user, conversation.pk, "?format=json")
    await sync_to_async(conversation.delete)()
    await communicator.send_json_to({"message": QUESTION})
    error = await communicator.receive_json_from(timeout=30)
    assert error["type"] == "error" and "no longer exists" in error["message"]
    await communicator.disconnect()
