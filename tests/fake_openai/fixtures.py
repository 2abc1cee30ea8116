"""pytest plugin: ``pytest_plugins = ["tests.fake_openai.fixtures"]`` in the root conftest.

Fixtures
--------
fake_openai                 a running ``FakeOpenAIServer`` (function scope), stopped afterwards.
fake_openai_env             the same server, with OPENAI_BASE_URL, OPENAI_API_KEY, CHAT_MODEL,
                            GENERATION_MODEL, AI_TIMEOUT and AI_MAX_RETRIES pointing at it (monkeypatch), and
                            the cached AI settings/clients cleared before and after.
fake_openai_embeddings_env  ``fake_openai_env`` plus EMBEDDING_BACKEND=openai / EMBEDDING_MODEL, so
                            embeddings come from the fake server (no torch model load).
fake_transcription_env      the server as the transcription endpoint only (TRANSCRIPTION_BASE_URL and
                            TRANSCRIPTION_MODEL; no chat model, so chat stays offline; local embeddings).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import FakeOpenAIServer

_AI_ENV = (
    "OPENAI_BASE_URL",
    "OPENAI_API_KEY",
    "OPENAI_API_KEY_FILE",
    "CHAT_MODEL",
    "GENERATION_MODEL",
    "EMBEDDING_BACKEND",
    "EMBEDDING_MODEL",
    "EMBEDDING_BASE_URL",
    "EMBEDDING_API_KEY",
    "EMBEDDING_API_KEY_FILE",
    "EMBEDDING_REQUEST_DIMENSIONS",
    "AI_TIMEOUT",
    "AI_MAX_RETRIES",
    "TRANSCRIPTION_MODEL",
    "TRANSCRIPTION_BASE_URL",
    "TRANSCRIPTION_API_KEY",
    "TRANSCRIPTION_API_KEY_FILE",
    "TRANSCRIPTION_TIMEOUT",
)


def reset_ai_caches() -> None:
    """Forget cached AI settings and clients so the next call re-reads the environment."""
    try:
        from smartnotes.ai import reset_caches
    except ImportError:  # pragma: no cover - the plugin can be used without the app
        return
    reset_caches()


@pytest.fixture
def offline_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The default configuration: no model endpoint (offline mode), the bundled local MiniLM embeddings."""
    for name in _AI_ENV:
        monkeypatch.delenv(name, raising=False)
    reset_ai_caches()
    yield
    reset_ai_caches()


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAIServer]:
    server = FakeOpenAIServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake_openai_env(fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAIServer]:
    for name in _AI_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("CHAT_MODEL", fake_openai.chat_model)
    monkeypatch.setenv("GENERATION_MODEL", fake_openai.generation_model)
    monkeypatch.setenv("AI_TIMEOUT", "10")
    monkeypatch.setenv("AI_MAX_RETRIES", "2")
    reset_ai_caches()
    try:
        yield fake_openai
    finally:
        reset_ai_caches()


@pytest.fixture
def fake_openai_embeddings_env(
    fake_openai_env: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeOpenAIServer]:
    monkeypatch.setenv("EMBEDDING_BACKEND", "openai")
    monkeypatch.setenv("EMBEDDING_MODEL", fake_openai_env.embedding_model)
    reset_ai_caches()
    try:
        yield fake_openai_env
    finally:
        reset_ai_caches()


@pytest.fixture
def fake_transcription_env(
    fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeOpenAIServer]:
    for name in _AI_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRANSCRIPTION_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("TRANSCRIPTION_MODEL", fake_openai.transcription_model)
    monkeypatch.setenv("TRANSCRIPTION_API_KEY", "transcription-key")
    monkeypatch.setenv("AI_MAX_RETRIES", "0")
    reset_ai_caches()
    try:
        yield fake_openai
    finally:
        reset_ai_caches()
