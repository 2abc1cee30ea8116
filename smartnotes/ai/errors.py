"""Errors raised by the AI module.

``str(error)`` is a message fit to show a student; ``error.detail`` is the technical reason for logs.
Callers that want to fall back to the offline behaviour catch ``AIUnavailable``; ``AIError`` catches
everything this module raises on purpose.
"""

from __future__ import annotations


class AIError(Exception):
    """Base class of every error raised on purpose by ``smartnotes.ai``."""

    default_message = "The AI feature failed."

    def __init__(self, message: str | None = None, *, detail: str = "", status_code: int | None = None):
        self.user_message = message or self.default_message
        self.detail = detail
        self.status_code = status_code
        super().__init__(self.user_message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.user_message!r}, detail={self.detail!r}, status_code={self.status_code!r})"


class AIUnavailable(AIError):
    """The endpoint could not give an answer (down, timing out, overloaded, refusing our credentials), after
    the bounded retries, or a streamed answer broke off midway. Fall back to the offline behaviour."""

    default_message = (
        "The AI model is not reachable right now; showing the most relevant passages from your notes instead."
    )


class AIStreamInterrupted(AIUnavailable):
    """A streamed answer broke off before the model said it was done."""

    default_message = (
        "The AI model stopped answering midway; showing the most relevant passages from your notes instead."
    )


class AINotConfigured(AIUnavailable):
    """No chat endpoint/model is configured (offline mode) but a model call was attempted."""

    default_message = (
        "No AI model is configured on this server; showing the most relevant passages from your notes instead."
    )


class AIResponseError(AIError):
    """The endpoint answered, but the request was rejected as invalid or the answer is unusable
    (empty, malformed JSON, embeddings of the wrong size...)."""

    default_message = "The AI model gave an answer that could not be used. Please try again."


class EmbeddingDimensionError(AIResponseError):
    """A remote embedding model returned vectors whose size is not the database's 384."""

    default_message = (
        "The configured embedding model produces vectors of the wrong size; an administrator must change "
        "EMBEDDING_MODEL."
    )
