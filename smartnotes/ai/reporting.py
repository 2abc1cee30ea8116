"""Tells listeners (the app's metrics) about every failed model call, without this package knowing about them.

The public entry points (chat, generation, embeddings, transcription) are wrapped with ``reported``; an
``AIError`` leaving one is passed to each listener as ``(operation, kind)`` and raised on unchanged. Offline
mode (``AINotConfigured``) is a configuration, not a failure, and is not reported.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
from collections.abc import Callable

import openai

from .errors import (
    AIError,
    AINotConfigured,
    AIResponseError,
    AIStreamInterrupted,
    AIUnavailable,
    EmbeddingDimensionError,
)

log = logging.getLogger(__name__)

Listener = Callable[[str, str], None]
_listeners: list[Listener] = []


def add_error_listener(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def remove_error_listener(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def error_kind(error: AIError) -> str:
    """A small fixed vocabulary: timeout, connection, rate_limited, auth, not_found, server_error, rejected,
    interrupted, wrong_dimensions, bad_response, unavailable, other."""
    if isinstance(error, EmbeddingDimensionError):
        return "wrong_dimensions"
    if isinstance(error, AIStreamInterrupted):
        return "interrupted"
    status = error.status_code
    if status is not None:
        if status == 429:
            return "rate_limited"
        if status in (401, 403):
            return "auth"
        if status == 404:
            return "not_found"
        return "server_error" if status >= 500 else "rejected"
    cause = error.__cause__
    if isinstance(cause, openai.APITimeoutError):
        return "timeout"
    if isinstance(cause, openai.APIConnectionError):
        return "connection"
    if isinstance(error, AIUnavailable):
        return "unavailable"
    return "bad_response" if isinstance(error, AIResponseError) else "other"


def _report(operation: str, error: AIError) -> None:
    if isinstance(error, AINotConfigured):
        return
    kind = error_kind(error)
    for listener in _listeners:
        try:
            listener(operation, kind)
        except Exception:  # a broken metrics hook must never turn into a failed answer
            log.exception("AI error listener %r failed", listener)


def reported(operation: str):
    """Decorate a function, generator or async generator whose ``AIError``s are reported under ``operation``."""

    def decorate(fn):
        if inspect.isasyncgenfunction(fn):

            @functools.wraps(fn)
            async def agen(*args, **kwargs):
                # aclosing: closing this wrapper early closes the wrapped stream (and its HTTP response) at once.
                async with contextlib.aclosing(fn(*args, **kwargs)) as stream:
                    try:
                        async for item in stream:
                            yield item
                    except AIError as exc:
                        _report(operation, exc)
                        raise

            return agen
        if inspect.isgeneratorfunction(fn):

            @functools.wraps(fn)
            def gen(*args, **kwargs):
                try:
                    return (yield from fn(*args, **kwargs))
                except AIError as exc:
                    _report(operation, exc)
                    raise

            return gen

        @functools.wraps(fn)
        def call(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except AIError as exc:
                _report(operation, exc)
                raise

        return call

    return decorate
