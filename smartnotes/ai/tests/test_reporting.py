"""Failed model calls are reported to listeners once each, with a kind from a small fixed vocabulary, through the
real openai client against the fake server; offline mode and calls that succeed or are closed early are not."""

import asyncio

import pytest

from smartnotes.ai import (
    AIError,
    AINotConfigured,
    AISettings,
    AIUnavailable,
    EmbeddingDimensionError,
    astream_chat,
    complete_chat,
    embed_texts,
    stream_chat,
)
from smartnotes.ai.reporting import add_error_listener, remove_error_listener
from smartnotes.ai.tests.test_chat import MESSAGES, closed_port, settings_for


@pytest.fixture
def reported():
    events = []

    def listener(operation, kind):
        events.append((operation, kind))

    add_error_listener(listener)
    yield events
    remove_error_listener(listener)


@pytest.mark.parametrize(
    ("status", "kind"),
    [(500, "server_error"), (429, "rate_limited"), (401, "auth"), (404, "not_found"), (400, "rejected")],
)
def test_an_http_failure_is_reported_once_with_its_kind(fake_openai, reported, status, kind):
    fake_openai.fail_next(3, status=status)  # the first try and both retries, where the status is retried
    with pytest.raises(AIError):  # AIUnavailable or AIResponseError, depending on the status
        complete_chat(MESSAGES, settings=settings_for(fake_openai))
    assert reported == [("generation", kind)]


def test_an_unreachable_endpoint_is_a_connection_error(reported, fake_openai):
    settings = settings_for(fake_openai, openai_base_url=f"http://127.0.0.1:{closed_port()}/v1", max_retries=0)
    with pytest.raises(AIUnavailable):
        list(stream_chat(MESSAGES, settings=settings))
    assert reported == [("chat", "connection")]


def test_a_silent_endpoint_is_a_timeout(fake_openai, reported):
    fake_openai.delay_s = 2
    with pytest.raises(AIUnavailable):
        complete_chat(MESSAGES, settings=settings_for(fake_openai, request_timeout_s=0.2, max_retries=0))
    assert reported == [("generation", "timeout")]


def test_a_stream_cut_midway_is_interrupted_and_a_stream_closed_early_is_no_error(fake_openai, reported):
    fake_openai.reply = "one two three four five six"

    async def read_all():
        return [token async for token in astream_chat(MESSAGES, settings=settings_for(fake_openai))]

    fake_openai.drop_stream_after(2)
    with pytest.raises(AIUnavailable):
        asyncio.run(read_all())
    assert reported == [("chat", "interrupted")]

    stream = stream_chat(MESSAGES, settings=settings_for(fake_openai))
    assert next(stream).strip() == "one"
    stream.close()
    assert reported == [("chat", "interrupted")]


def test_wrong_embedding_dimensions_are_reported(fake_openai, reported):
    fake_openai.embedding_dim = 768
    settings = settings_for(fake_openai, embedding_backend="openai", embedding_model=fake_openai.embedding_model)
    with pytest.raises(EmbeddingDimensionError):
        embed_texts(["a cell"], settings=settings)
    assert reported == [("embeddings", "wrong_dimensions")]
    fake_openai.embedding_dim = 384
    assert embed_texts(["a cell"], settings=settings).shape == (1, 384)
    assert reported == [("embeddings", "wrong_dimensions")]


def test_offline_mode_is_not_reported(reported):
    with pytest.raises(AINotConfigured):
        complete_chat(MESSAGES, settings=AISettings(openai_base_url="", chat_model=""))
    assert reported == []


def test_a_broken_listener_does_not_change_the_error(fake_openai, reported):
    def broken(operation, kind):
        raise RuntimeError("metrics are down")

    add_error_listener(broken)
    try:
        fake_openai.fail_next(3, status=500)
        with pytest.raises(AIUnavailable):
            complete_chat(MESSAGES, settings=settings_for(fake_openai))
    finally:
        remove_error_listener(broken)
    assert reported == [("generation", "server_error")]
