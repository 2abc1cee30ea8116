"""Errors raised by document generation (no Django).

``error.message`` is a sentence fit to show a student; ``error.code`` is a short machine-readable reason.
"""

from __future__ import annotations


class GenerationError(Exception):
    """A study document could not be generated from the given material."""

    default_message = "This document could not be generated from your notes."

    def __init__(self, message: str | None = None, *, code: str = "generation_failed", detail: str = ""):
        self.message = message or self.default_message
        self.code = code
        self.detail = detail
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r})"
