"""/api/v1/chat: conversations CRUD, a question answered with citations in one response and streamed as
Server-Sent Events, refusals in the error shape, and another user's token reaching nothing."""

import json

import pytest
from asgiref.sync import async_to_sync

from apps.chat.models import Conversation, Message
from apps.chat.tests.helpers import make_lecture

pytestmark = pytest.mark.django_db(transaction=True)
API = "/api/v1/chat"
QUESTION = "Where in the cell does photosynthesis happen?"


@pytest.fixture
def lecture(user, subject):
    return make_lecture(user, subject)


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def _events(response) -> list[tuple[str, dict]]:
    async def collect():  # the stream is asynchronous, as daphne serves it
        return b"".join([chunk async for chunk in response.streaming_content])

    raw = async_to_sync(collect)().decode()
    events = []
    for block in raw.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_conversation_crud(api, lecture, subject):
    created = _post(api, f"{API}/conversations", {"lecture_id": lecture.pk, "title": "Cells"})
    assert created.status_code == 201, created.content
    conversation = created.json()
    assert (conversation["lecture_id"], conversation["subject_id"], conversation["title"]) == (
        lecture.pk,
        subject.pk,
        "Cells",
    )
    whole = _post(api, f"{API}/conversations", {"subject_id": subject.pk})
    assert whole.status_code == 201 and whole.json()["lecture_id"] is None
    neither = _post(api, f"{API}/conversations", {})
    assert neither.status_code == 422 and neither.json()["code"] == "invalid"
    listed = api.get(f"{API}/conversations", {"lecture_id": lecture.pk}).json()
    assert [c["id"] for c in listed["items"]] == [conversation["id"]]
    renamed = api.patch(
        f"{API}/conversations/{conversation['id']}", json.dumps({"title": "Plants"}), content_type="application/json"
    )
    assert renamed.json()["title"] == "Plants"
    assert api.delete(f"{API}/conversations/{conversation['id']}").status_code == 204
    assert not Conversation.objects.filter(pk=conversation["id"]).exists()


def test_ask_answers_with_citations(api, lecture, offline_env):
    conversation = _post(api, f"{API}/conversations", {"lecture_id": lecture.pk}).json()
    answered = _post(api, f"{API}/conversations/{conversation['id']}/messages", {"question": QUESTION})
    assert answered.status_code == 201, answered.content
    message = answered.json()
    assert message["role"] == "assistant" and message["offline"]
    assert 2 in [c["page"] for c in message["citations"]]  # the photosynthesis page
    detail = api.get(f"{API}/conversations/{conversation['id']}").json()
    assert [m["role"] for m in detail["messages"]] == ["user", "assistant"]


def test_ask_streamed_as_server_sent_events(api, lecture, offline_env):
    conversation = _post(api, f"{API}/conversations", {"lecture_id": lecture.pk}).json()
    response = _post(api, f"{API}/conversations/{conversation['id']}/stream", {"question": QUESTION})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    events = _events(response)
    assert events[-1][0] == "done"
    done = events[-1][1]
    assert 2 in [c["page"] for c in done["citations"]]
    assert Message.objects.filter(pk=done["id"], role="assistant").exists()


def test_refusals_in_the_error_shape(api, lecture, offline_env, settings):
    conversation = _post(api, f"{API}/conversations", {"lecture_id": lecture.pk}).json()
    url = f"{API}/conversations/{conversation['id']}/messages"
    empty = _post(api, url, {"question": ""})
    assert empty.status_code == 422 and empty.json()["code"] == "invalid"
    settings.CHAT_RATE_PER_MINUTE = 1
    assert _post(api, url, {"question": QUESTION}).status_code == 201
    limited = _post(api, url, {"question": "And mitochondria?"})
    assert limited.status_code == 429, limited.content
    assert limited.json()["code"] == "rate_limited" and limited["Retry-After"] == str(limited.json()["retry_after"])
    streamed = _events(_post(api, f"{API}/conversations/{conversation['id']}/stream", {"question": "More?"}))
    assert streamed == [("error", streamed[0][1])] and streamed[0][1]["code"] == "rate_limited"


def test_another_users_token_reaches_nothing(api, other_api, lecture, subject):
    conversation = _post(api, f"{API}/conversations", {"lecture_id": lecture.pk}).json()
    cid = conversation["id"]
    assert other_api.get(f"{API}/conversations/{cid}").status_code == 404
    assert _post(other_api, f"{API}/conversations/{cid}/messages", {"question": QUESTION}).status_code == 404
    assert _post(other_api, f"{API}/conversations/{cid}/stream", {"question": QUESTION}).status_code == 404
    assert other_api.delete(f"{API}/conversations/{cid}").status_code == 404
    assert _post(other_api, f"{API}/conversations", {"lecture_id": lecture.pk}).status_code == 404
    assert _post(other_api, f"{API}/conversations", {"subject_id": subject.pk}).status_code == 404
    assert other_api.get(f"{API}/conversations").json()["count"] == 0
    assert not Message.objects.exists()
