import asyncio
import socket
import time

import pytest

from smartnotes.ai import (
    AINotConfigured,
    AIResponseError,
    AISettings,
    AIUnavailable,
    astream_chat,
    complete_chat,
    complete_json,
    is_offline,
    parse_json_reply,
    stream_chat,
)

MESSAGES = [
    {"role": "system", "content": "You answer from the notes only."},
    {"role": "user", "content": "What is a heap?"},
]


def settings_for(server, **overrides) -> AISettings:
    values = {
        "openai_base_url": server.base_url,
        "openai_api_key": "test-key",
        "chat_model": server.chat_model,
        "generation_model": server.generation_model,
        "request_timeout_s": 5.0,
        "max_retries": 2,
    }
    values.update(overrides)
    return AISettings(**values)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- streaming ------------------------------------------------------------------------------------


def test_stream_arrives_in_order_and_complete(fake_openai_env):
    fake_openai_env.reply = "A heap is a tree where every parent is smaller than its children."
    parts = list(stream_chat(MESSAGES))
    assert len(parts) == len(fake_openai_env.reply.split())  # one delta per word-sized token
    assert "".join(parts) == fake_openai_env.reply
    body = fake_openai_env.last_request
    assert body["stream"] is True
    assert body["model"] == fake_openai_env.chat_model
    assert body["messages"] == MESSAGES
    assert body["temperature"] == 0.2
    assert body.headers["Authorization"] == "Bearer test-key"


def test_default_reply_echoes_the_prompt(fake_openai_env):
    assert "".join(stream_chat(MESSAGES)) == "ECHO: What is a heap?"
    assert fake_openai_env.last_messages == MESSAGES


def test_tokens_are_streamed_incrementally(fake_openai):
    fake_openai.reply = "one two three four five six"
    fake_openai.token_delay_s = 0.1
    start = time.monotonic()
    arrivals = [(time.monotonic() - start, part) for part in stream_chat(MESSAGES, settings=settings_for(fake_openai))]
    assert "".join(p for _, p in arrivals) == fake_openai.reply
    first, last = arrivals[0][0], arrivals[-1][0]
    assert last - first >= 0.4  # five gaps of 0.1 s between the six tokens
    assert first < last - 0.3  # the first token came long before the answer was complete


def test_callable_reply_sees_messages(fake_openai):
    fake_openai.reply = lambda messages: f"{len(messages)} messages, last by {messages[-1]['role']}"
    assert "".join(stream_chat(MESSAGES, settings=settings_for(fake_openai))) == "2 messages, last by user"


def test_model_and_temperature_overrides(fake_openai):
    list(
        stream_chat(MESSAGES, model="other-model", temperature=None, max_tokens=50, settings=settings_for(fake_openai))
    )
    body = fake_openai.last_request
    assert body["model"] == "other-model"
    assert "temperature" not in body
    assert body["max_tokens"] == 50


def test_stream_dropped_midway_raises_unavailable(fake_openai):
    fake_openai.reply = "one two three four five six seven eight"
    fake_openai.drop_stream_after(3)
    received = []
    with pytest.raises(AIUnavailable) as info:
        for part in stream_chat(MESSAGES, settings=settings_for(fake_openai)):
            received.append(part)
    assert "".join(received) == "one two three"
    assert "midway" in str(info.value)
    # Not retried: the answer was already partly shown.
    assert len(fake_openai.chat_requests) == 1


def test_stream_dropped_before_finish_reason_raises_unavailable(fake_openai):
    fake_openai.reply = "short answer"
    fake_openai.drop_stream_after(99)  # every token, but no finish_reason and no [DONE]
    with pytest.raises(AIUnavailable):
        list(stream_chat(MESSAGES, settings=settings_for(fake_openai)))


def test_stream_ending_cleanly_without_finish_raises_unavailable(fake_openai):
    fake_openai.reply = "one two three four"
    fake_openai.drop_stream_after(2, clean_eof=True)
    received = []
    with pytest.raises(AIUnavailable) as info:
        for part in stream_chat(MESSAGES, settings=settings_for(fake_openai)):
            received.append(part)
    assert received == ["one", " two"]
    assert "finish_reason" in info.value.detail


def test_stream_recovers_after_two_failures(fake_openai):
    fake_openai.fail_next(2, status=500)
    parts = list(stream_chat(MESSAGES, settings=settings_for(fake_openai, max_retries=2)))
    assert "".join(parts) == "ECHO: What is a heap?"
    assert [r.status for r in fake_openai.chat_requests] == [500, 500, 200]


def test_rate_limit_is_retried(fake_openai):
    fake_openai.fail_next(1, status=429)
    assert complete_chat(MESSAGES, settings=settings_for(fake_openai)) == "ECHO: What is a heap?"


def test_failures_beyond_retries_raise_unavailable(fake_openai):
    fake_openai.fail_next(3, status=503)
    with pytest.raises(AIUnavailable) as info:
        list(stream_chat(MESSAGES, settings=settings_for(fake_openai, max_retries=2)))
    assert info.value.status_code == 503
    assert "not reachable" in str(info.value)
    assert len(fake_openai.chat_requests) == 3  # first try + 2 retries, then give up


def test_endpoint_down_raises_unavailable_quickly():
    s = AISettings(
        openai_base_url=f"http://127.0.0.1:{closed_port()}/v1", chat_model="m", request_timeout_s=1.0, max_retries=1
    )
    start = time.monotonic()
    with pytest.raises(AIUnavailable) as info:
        list(stream_chat(MESSAGES, settings=s))
    assert time.monotonic() - start < 3
    assert str(info.value) == (
        "The AI model is not reachable right now; showing the most relevant passages from your notes instead."
    )
    assert "connect" in info.value.detail
    with pytest.raises(AIUnavailable):
        complete_chat(MESSAGES, settings=s)


def test_slow_endpoint_times_out(fake_openai):
    fake_openai.delay_s = 2.0
    start = time.monotonic()
    with pytest.raises(AIUnavailable) as info:
        list(stream_chat(MESSAGES, settings=settings_for(fake_openai, request_timeout_s=0.3, max_retries=0)))
    assert time.monotonic() - start < 1.5
    assert "in time" in info.value.detail


def test_stalled_stream_times_out(fake_openai):
    fake_openai.reply = "one two three"
    fake_openai.token_delay_s = 2.0
    with pytest.raises(AIUnavailable):
        list(stream_chat(MESSAGES, settings=settings_for(fake_openai, request_timeout_s=0.3, max_retries=0)))


def test_wrong_key_is_unavailable_not_retried(fake_openai):
    fake_openai.require_api_key = "right"
    with pytest.raises(AIUnavailable) as info:
        complete_chat(MESSAGES, settings=settings_for(fake_openai, openai_api_key="wrong"))
    assert info.value.status_code == 401
    assert "OPENAI_API_KEY" in info.value.detail
    assert len(fake_openai.chat_requests) == 1


def test_bad_request_is_a_response_error(fake_openai):
    fake_openai.fail_next(1, status=400)
    with pytest.raises(AIResponseError) as info:
        complete_chat(MESSAGES, settings=settings_for(fake_openai))
    assert info.value.status_code == 400


def test_closing_the_stream_early_is_fine(fake_openai):
    fake_openai.reply = "one two three four five"
    stream = stream_chat(MESSAGES, settings=settings_for(fake_openai))
    assert next(stream) == "one"
    stream.close()
    # The client is still usable afterwards.
    assert "".join(stream_chat(MESSAGES, settings=settings_for(fake_openai))) == "one two three four five"


# -- non-streaming ---------------------------------------------------------------------------------


def test_complete_chat_uses_generation_model(fake_openai_env):
    assert complete_chat(MESSAGES) == "ECHO: What is a heap?"
    body = fake_openai_env.last_request
    assert body["model"] == fake_openai_env.generation_model
    assert not body.get("stream")
    assert "response_format" not in body


def test_complete_json(fake_openai_env):
    fake_openai_env.reply = '```json\n{"questions": [{"q": "2+2?", "a": "4"}]}\n```'
    assert complete_json(MESSAGES) == {"questions": [{"q": "2+2?", "a": "4"}]}
    assert fake_openai_env.last_request["response_format"] == {"type": "json_object"}


def test_json_mode_falls_back_when_unsupported(fake_openai_env):
    fake_openai_env.reply = '{"ok": true}'
    fake_openai_env.fail_next(1, status=400)
    assert complete_json(MESSAGES) == {"ok": True}
    first, second = fake_openai_env.chat_requests
    assert "response_format" in first and "response_format" not in second


def test_invalid_json_is_a_response_error(fake_openai_env):
    fake_openai_env.reply = "Sure! Here are your flashcards."
    with pytest.raises(AIResponseError):
        complete_json(MESSAGES)


def test_empty_answer_is_a_response_error(fake_openai_env):
    fake_openai_env.reply = ""
    with pytest.raises(AIResponseError):
        complete_chat(MESSAGES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ("```\n[1, 2]\n```", [1, 2]),
        ('Here you go: {"a": [1, 2]} hope it helps', {"a": [1, 2]}),
    ],
)
def test_parse_json_reply(text, expected):
    assert parse_json_reply(text) == expected


# -- offline ---------------------------------------------------------------------------------------


def test_offline_detection_and_calls(monkeypatch):
    s = AISettings()
    assert is_offline(s)
    assert is_offline(AISettings(openai_base_url="http://127.0.0.1:9/v1"))
    assert is_offline(AISettings(chat_model="m"))
    with pytest.raises(AINotConfigured) as info:
        list(stream_chat(MESSAGES, settings=s))
    assert isinstance(info.value, AIUnavailable)  # callers fall back the same way
    with pytest.raises(AINotConfigured):
        complete_chat(MESSAGES, settings=s)


def test_offline_from_environment(monkeypatch):
    from smartnotes.ai import reset_caches

    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("CHAT_MODEL", raising=False)
    reset_caches()
    try:
        assert is_offline()
    finally:
        reset_caches()


def test_fixture_env_is_online(fake_openai_env):
    assert not is_offline()


# -- async -----------------------------------------------------------------------------------------


async def _collect(agen):
    return [part async for part in agen]


def test_astream_chat(fake_openai):
    fake_openai.reply = "async tokens arrive in order"
    parts = asyncio.run(_collect(astream_chat(MESSAGES, settings=settings_for(fake_openai))))
    assert parts == ["async", " tokens", " arrive", " in", " order"]
    # A second event loop gets its own client.
    parts = asyncio.run(_collect(astream_chat(MESSAGES, settings=settings_for(fake_openai))))
    assert "".join(parts) == fake_openai.reply


def test_astream_chat_retries_then_succeeds(fake_openai):
    fake_openai.fail_next(2)
    parts = asyncio.run(_collect(astream_chat(MESSAGES, settings=settings_for(fake_openai))))
    assert "".join(parts) == "ECHO: What is a heap?"


def test_astream_chat_dropped(fake_openai):
    fake_openai.reply = "one two three four"
    fake_openai.drop_stream_after(2)
    with pytest.raises(AIUnavailable):
        asyncio.run(_collect(astream_chat(MESSAGES, settings=settings_for(fake_openai))))


def test_astream_chat_endpoint_down():
    s = AISettings(
        openai_base_url=f"http://127.0.0.1:{closed_port()}/v1", chat_model="m", request_timeout_s=1.0, max_retries=0
    )
    with pytest.raises(AIUnavailable):
        asyncio.run(_collect(astream_chat(MESSAGES, settings=s)))


def test_astream_chat_offline():
    with pytest.raises(AINotConfigured):
        asyncio.run(_collect(astream_chat(MESSAGES, settings=AISettings())))
