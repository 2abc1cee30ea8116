"""Chat and text generation through any OpenAI-compatible endpoint.

``messages`` are OpenAI chat messages: ``[{"role": "system"|"user"|"assistant", "content": "..."}]``.
Retrieved note text must be delimited by the caller (it is untrusted); nothing here adds tools.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

import openai

from .clients import get_async_client, get_client, translate_error
from .config import AISettings, get_settings
from .errors import AINotConfigured, AIResponseError, AIStreamInterrupted
from .reporting import reported

try:  # openai >= 2 uses the "httpx2" fork; older releases use httpx.
    import httpx2 as _httpx
except ImportError:  # pragma: no cover
    import httpx as _httpx  # type: ignore[no-redef]

Message = dict[str, Any]

# Errors that can surface while a stream is being read (after the request itself succeeded).
_STREAM_ERRORS = (openai.APIError, _httpx.HTTPError, OSError)


def is_offline(settings: AISettings | None = None) -> bool:
    """True when no chat endpoint or model is configured (features use their extractive fallbacks)."""
    return (settings or get_settings()).offline


def _online_settings(settings: AISettings | None) -> AISettings:
    s = settings or get_settings()
    if s.offline:
        missing = "OPENAI_BASE_URL" if not s.openai_base_url else "CHAT_MODEL"
        raise AINotConfigured(detail=f"offline mode: {missing} is not set")
    return s


def _request_kwargs(
    messages: Sequence[Message], model: str, temperature: float | None, max_tokens: int | None
) -> dict[str, Any]:
    if not messages:
        raise ValueError("messages must not be empty")
    kwargs: dict[str, Any] = {"model": model, "messages": list(messages)}
    if temperature is not None:
        kwargs["temperature"] = temperature
    if max_tokens is not None:
        kwargs["max_tokens"] = max_tokens
    return kwargs


def _deltas(chunk: Any) -> tuple[str, bool]:
    """(text of the first choice's delta, whether that choice finished) for one stream chunk."""
    text = ""
    finished = False
    for choice in chunk.choices or ():
        if getattr(choice, "index", 0) != 0:
            continue
        delta = choice.delta
        if delta is not None and delta.content:
            text += delta.content
        if choice.finish_reason:
            finished = True
    return text, finished


@reported("chat")
def stream_chat(
    messages: Sequence[Message],
    *,
    model: str | None = None,
    temperature: float | None = 0.2,
    max_tokens: int | None = None,
    settings: AISettings | None = None,
) -> Iterator[str]:
    """Yield the answer's content deltas as they arrive.

    Raises ``AINotConfigured`` in offline mode, ``AIUnavailable`` when the endpoint cannot be reached
    (after the client's bounded retries) or when the stream breaks off before the model finished,
    ``AIResponseError`` when the endpoint rejects the request. The generator is lazy: nothing is sent
    before the first ``next()``. Closing it early closes the HTTP response.
    """
    s = _online_settings(settings)
    kwargs = _request_kwargs(messages, model or s.chat_model, temperature, max_tokens)
    client = get_client(s)
    try:
        stream = client.chat.completions.create(stream=True, **kwargs)
    except Exception as exc:
        raise translate_error(exc, what="chat") from exc
    finished = False
    try:
        for chunk in stream:
            text, done = _deltas(chunk)
            finished = finished or done
            if text:
                yield text
    except _STREAM_ERRORS as exc:
        raise AIStreamInterrupted(detail=f"chat stream broke: {type(exc).__name__}: {exc}") from exc
    except ValueError as exc:  # undecodable chunk
        raise AIResponseError(detail=f"chat stream: malformed chunk: {exc}") from exc
    finally:
        stream.close()
    if not finished:
        # The connection ended cleanly but the model never said it was done (no finish_reason).
        raise AIStreamInterrupted(detail="chat stream ended without a finish_reason")


@reported("chat")
async def astream_chat(
    messages: Sequence[Message],
    *,
    model: str | None = None,
    temperature: float | None = 0.2,
    max_tokens: int | None = None,
    settings: AISettings | None = None,
) -> AsyncIterator[str]:
    """Async twin of ``stream_chat`` (for Channels consumers), built on ``openai.AsyncOpenAI``."""
    s = _online_settings(settings)
    kwargs = _request_kwargs(messages, model or s.chat_model, temperature, max_tokens)
    client = get_async_client(s)
    try:
        stream = await client.chat.completions.create(stream=True, **kwargs)
    except Exception as exc:
        raise translate_error(exc, what="chat") from exc
    finished = False
    try:
        async for chunk in stream:
            text, done = _deltas(chunk)
            finished = finished or done
            if text:
                yield text
    except _STREAM_ERRORS as exc:
        raise AIStreamInterrupted(detail=f"chat stream broke: {type(exc).__name__}: {exc}") from exc
    except ValueError as exc:
        raise AIResponseError(detail=f"chat stream: malformed chunk: {exc}") from exc
    finally:
        await stream.close()
    if not finished:
        raise AIStreamInterrupted(detail="chat stream ended without a finish_reason")


@reported("generation")
def complete_chat(
    messages: Sequence[Message],
    *,
    model: str | None = None,
    json_mode: bool = False,
    temperature: float | None = 0.2,
    max_tokens: int | None = None,
    settings: AISettings | None = None,
) -> str:
    """Return the whole answer (non-streaming); defaults to the generation model.

    With ``json_mode`` the request asks for ``response_format={"type": "json_object"}``; endpoints that
    reject that option (HTTP 400) are asked once more without it. Use ``complete_json`` to also parse.
    """
    s = _online_settings(settings)
    kwargs = _request_kwargs(messages, model or s.generation_model, temperature, max_tokens)
    client = get_client(s)
    try:
        if json_mode:
            try:
                response = client.chat.completions.create(response_format={"type": "json_object"}, **kwargs)
            except openai.BadRequestError:
                response = client.chat.completions.create(**kwargs)
        else:
            response = client.chat.completions.create(**kwargs)
    except Exception as exc:
        raise translate_error(exc, what="generation") from exc
    if not response.choices:
        raise AIResponseError(detail="generation: the response has no choices")
    content = response.choices[0].message.content
    if content is None or not content.strip():
        raise AIResponseError(detail="generation: the response is empty")
    return content


_FENCE = re.compile(r"^\s*```(?:json|JSON)?\s*\n(.*?)\n?```\s*$", re.DOTALL)


@reported("generation")
def parse_json_reply(text: str) -> Any:
    """Parse a model's JSON answer, tolerating a Markdown code fence or prose around one JSON value."""
    candidate = text.strip()
    fenced = _FENCE.match(candidate)
    if fenced:
        candidate = fenced.group(1).strip()
    try:
        return json.loads(candidate)
    except ValueError:
        pass
    # Fall back to the first {...} or [...] span.
    starts = [i for i in (candidate.find("{"), candidate.find("[")) if i >= 0]
    if starts:
        start = min(starts)
        closing = "}" if candidate[start] == "{" else "]"
        end = candidate.rfind(closing)
        if end > start:
            try:
                return json.loads(candidate[start : end + 1])
            except ValueError:
                pass
    raise AIResponseError(detail=f"generation: the answer is not valid JSON: {text[:200]!r}")


def complete_json(
    messages: Sequence[Message],
    *,
    model: str | None = None,
    temperature: float | None = 0.2,
    max_tokens: int | None = None,
    settings: AISettings | None = None,
) -> Any:
    """``complete_chat`` in JSON mode, parsed. Raises ``AIResponseError`` when the answer is not JSON."""
    text = complete_chat(
        messages, model=model, json_mode=True, temperature=temperature, max_tokens=max_tokens, settings=settings
    )
    return parse_json_reply(text)
