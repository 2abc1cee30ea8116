"""Cached ``openai`` clients and translation of ``openai`` exceptions into ``smartnotes.ai`` errors."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import weakref

import openai

from .config import AISettings, clear_settings_cache
from .errors import AIError, AIResponseError, AIUnavailable

# Connecting should never take long; a dead host must not block a request for the whole read timeout.
_MAX_CONNECT_TIMEOUT_S = 10.0

_lock = threading.Lock()
_sync_clients: dict[tuple[str, str, float, int], openai.OpenAI] = {}
# AsyncOpenAI holds connections bound to one event loop, so async clients are cached per loop.
_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple, openai.AsyncOpenAI]] = (
    weakref.WeakKeyDictionary()
)


def _timeout(seconds: float) -> openai.Timeout:
    return openai.Timeout(seconds, connect=min(seconds, _MAX_CONNECT_TIMEOUT_S))


def _key(settings: AISettings, purpose: str) -> tuple[str, str, float, int]:
    if purpose == "embeddings":
        return (
            settings.embedding_base_url,
            settings.embedding_api_key,
            settings.request_timeout_s,
            settings.max_retries,
        )
    if purpose == "transcription":
        return (
            settings.transcription_base_url,
            settings.transcription_api_key,
            settings.transcription_timeout_s,
            settings.max_retries,
        )
    return (settings.openai_base_url, settings.openai_api_key, settings.request_timeout_s, settings.max_retries)


def get_client(settings: AISettings, purpose: str = "chat") -> openai.OpenAI:
    """The synchronous client for ``settings`` (``purpose`` "chat", "embeddings" or "transcription"), created
    once."""
    key = _key(settings, purpose)
    client = _sync_clients.get(key)
    if client is None:
        with _lock:
            client = _sync_clients.get(key)
            if client is None:
                base_url, api_key, timeout_s, max_retries = key
                client = openai.OpenAI(
                    base_url=base_url, api_key=api_key, timeout=_timeout(timeout_s), max_retries=max_retries
                )
                _sync_clients[key] = client
    return client


def get_async_client(settings: AISettings, purpose: str = "chat") -> openai.AsyncOpenAI:
    """The asynchronous client for ``settings`` in the running event loop, created once per loop."""
    loop = asyncio.get_running_loop()
    key = _key(settings, purpose)
    with _lock:
        per_loop = _async_clients.get(loop)
        if per_loop is None:
            per_loop = _async_clients[loop] = {}
        client = per_loop.get(key)
        if client is None:
            base_url, api_key, timeout_s, max_retries = key
            client = per_loop[key] = openai.AsyncOpenAI(
                base_url=base_url, api_key=api_key, timeout=_timeout(timeout_s), max_retries=max_retries
            )
    return client


def reset_caches() -> None:
    """Forget the cached settings and clients (tests call this after changing the environment)."""
    clear_settings_cache()
    with _lock:
        clients = list(_sync_clients.values())
        _sync_clients.clear()
        _async_clients.clear()
    for client in clients:
        with contextlib.suppress(Exception):  # closing is best effort
            client.close()


_AUTH_HINT = {
    401: "the endpoint refused the API key (check OPENAI_API_KEY)",
    403: "the endpoint refused access (check OPENAI_API_KEY)",
    404: "the endpoint does not know this model or path (check CHAT_MODEL/EMBEDDING_MODEL and OPENAI_BASE_URL)",
}


def translate_error(exc: BaseException, *, what: str = "request") -> AIError:
    """Map an exception from ``openai`` (or the HTTP transport) to an ``AIError``."""
    if isinstance(exc, AIError):
        return exc
    if isinstance(exc, openai.APITimeoutError):
        return AIUnavailable(detail=f"{what}: the endpoint did not answer in time ({exc})")
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc.__context__
        return AIUnavailable(detail=f"{what}: cannot connect to the endpoint ({cause or exc})")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        message = _error_message(exc)
        if status in (408, 409, 429) or status >= 500:
            return AIUnavailable(detail=f"{what}: HTTP {status} after retries: {message}", status_code=status)
        if status in _AUTH_HINT:
            return AIUnavailable(detail=f"{what}: HTTP {status}, {_AUTH_HINT[status]}: {message}", status_code=status)
        return AIResponseError(detail=f"{what}: HTTP {status}: {message}", status_code=status)
    if isinstance(exc, openai.APIResponseValidationError):
        return AIResponseError(detail=f"{what}: malformed response: {exc}")
    if isinstance(exc, openai.APIError):
        # e.g. an error event inside a stream: the server gave up on the answer.
        return AIUnavailable(detail=f"{what}: {exc}")
    # Transport errors while reading a stream (connection reset, truncated chunked body, ...).
    return AIUnavailable(detail=f"{what}: {type(exc).__name__}: {exc}")


def _error_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            return err["message"][:500]
        if isinstance(err, str):
            return err[:500]
    return str(exc)[:500]
