"""Configuration of the AI providers, read from environment variables.

Nothing here imports Django: the Django settings module builds the same object with
``AISettings.from_env()`` and code outside Django (tests, scripts, workers) can do the same.

Environment variables
---------------------
OPENAI_BASE_URL       OpenAI-compatible endpoint, e.g. ``http://gpu-box:8000/v1``. Empty: offline mode.
OPENAI_API_KEY        API key (many local servers ignore it). ``OPENAI_API_KEY_FILE`` names a file holding
                      it instead (Docker/Kubernetes secrets); the file wins when both are set.
CHAT_MODEL            Model used for chat answers. Empty: offline mode.
GENERATION_MODEL      Model used for quizzes, flashcards, cheat sheets. Defaults to CHAT_MODEL.
EMBEDDING_BACKEND     ``local`` (default; bundled all-MiniLM-L6-v2 on the CPU) or ``openai`` (the
                      endpoint's ``/embeddings``).
EMBEDDING_MODEL       Default ``all-MiniLM-L6-v2``. For ``local`` it may also be a directory holding a
                      sentence-transformers model; for ``openai`` the model name the endpoint serves.
                      Whatever the model, its vectors must have 384 dimensions (pgvector column
                      ``vector(384)``).
EMBEDDING_BASE_URL    Endpoint for ``openai`` embeddings; defaults to OPENAI_BASE_URL.
EMBEDDING_API_KEY     Key for that endpoint (or ``EMBEDDING_API_KEY_FILE``); defaults to the OpenAI key.
EMBEDDING_REQUEST_DIMENSIONS  ``true`` to send ``dimensions=384`` with remote embedding requests (for models
                      such as OpenAI's text-embedding-3-* that can shorten their vectors). Default false.
EMBEDDING_THREADS     Torch CPU threads for local embeddings. Default ``min(2, cpu count)``.
TRANSCRIPTION_MODEL   Model of the OpenAI-compatible ``/audio/transcriptions`` endpoint (e.g. ``whisper-1``, or
                      what a local faster-whisper/whisper.cpp server serves). Empty: recordings cannot be
                      uploaded (transcripts in .srt/.vtt still can).
TRANSCRIPTION_BASE_URL  Endpoint for transcriptions; defaults to OPENAI_BASE_URL.
TRANSCRIPTION_API_KEY Key for that endpoint (or ``TRANSCRIPTION_API_KEY_FILE``); defaults to the OpenAI key.
TRANSCRIPTION_TIMEOUT Seconds to wait for one recording's transcript (the endpoint answers only when the whole
                      file is done). Default 900.
AI_TIMEOUT            Seconds to wait for the endpoint (connect, and between streamed bytes). Default 60.
AI_MAX_RETRIES        Retries of a failed request (connection errors, timeouts, 408/409/429/5xx). Default 2.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from smartnotes.env import ImproperEnv, check_url, env_bool, env_int, env_secret

EMBEDDING_DIMENSIONS = 384
DEFAULT_LOCAL_EMBEDDING_MODEL = "all-MiniLM-L6-v2"
# Names under which the bundled local model may be requested.
LOCAL_MODEL_ALIASES = frozenset({"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"})
EMBEDDING_BACKENDS = ("local", "openai")


def _default_threads() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def _read_secret(env: Mapping[str, str], name: str) -> str | None:
    return env_secret(name, environ=env)


def _str(env: Mapping[str, str], name: str, default: str = "") -> str:
    value = env.get(name)
    if value is None or not value.strip():
        return default
    return value.strip()


def _url(env: Mapping[str, str], name: str, default: str = "") -> str:
    value = _str(env, name, default)
    return check_url(name, value, ("http", "https")).rstrip("/") if value else ""


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    return env_int(name, default, minimum=minimum, environ=env)


def _float(env: Mapping[str, str], name: str, default: float, *, minimum_exclusive: float) -> float:
    value = env.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = float(value.strip())
    except ValueError:
        raise ImproperEnv(f"{name}={value!r} is not a number: expected seconds, e.g. {name}=60") from None
    if not (minimum_exclusive < number < float("inf")):  # also rejects NaN
        raise ImproperEnv(f"{name}={value.strip()} must be a finite number greater than {minimum_exclusive:g}")
    return number


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    return env_bool(name, default, environ=env)


@dataclass(frozen=True)
class AISettings:
    """Everything the AI module needs to know. Frozen and hashable: used as a cache key for clients."""

    openai_base_url: str = ""
    openai_api_key: str = field(default="not-needed", repr=False)
    chat_model: str = ""
    generation_model: str = ""
    embedding_backend: str = "local"
    embedding_model: str = DEFAULT_LOCAL_EMBEDDING_MODEL
    embedding_base_url: str = ""
    embedding_api_key: str = field(default="not-needed", repr=False)
    embedding_request_dimensions: bool = False
    embedding_dimensions: int = EMBEDDING_DIMENSIONS
    embedding_threads: int = field(default_factory=_default_threads)
    request_timeout_s: float = 60.0
    max_retries: int = 2
    transcription_model: str = ""
    transcription_base_url: str = ""
    transcription_api_key: str = field(default="not-needed", repr=False)
    transcription_timeout_s: float = 900.0

    def __post_init__(self) -> None:
        if self.embedding_backend not in EMBEDDING_BACKENDS:
            raise ImproperEnv(
                f"EMBEDDING_BACKEND={self.embedding_backend!r} is not supported (use 'local' or 'openai')"
            )
        if self.embedding_dimensions != EMBEDDING_DIMENSIONS:
            raise ValueError(f"embedding_dimensions must be {EMBEDDING_DIMENSIONS}: the database column is vector(384)")
        if not self.generation_model and self.chat_model:
            object.__setattr__(self, "generation_model", self.chat_model)
        if not self.transcription_base_url and self.openai_base_url:
            object.__setattr__(self, "transcription_base_url", self.openai_base_url)
        if self.embedding_backend == "openai":
            if not self.embedding_base_url and self.openai_base_url:
                object.__setattr__(self, "embedding_base_url", self.openai_base_url)
            if not self.embedding_base_url:
                raise ImproperEnv(
                    "EMBEDDING_BACKEND='openai' needs an endpoint: set EMBEDDING_BASE_URL or OPENAI_BASE_URL"
                )
            if not self.embedding_model:
                raise ImproperEnv("EMBEDDING_BACKEND='openai' needs EMBEDDING_MODEL")
        else:
            if not self.embedding_model:
                object.__setattr__(self, "embedding_model", DEFAULT_LOCAL_EMBEDDING_MODEL)
            name = self.embedding_model
            if name.lower() not in LOCAL_MODEL_ALIASES and not Path(name).is_dir():
                raise ImproperEnv(
                    f"EMBEDDING_MODEL={name!r}: the local backend only ships {DEFAULT_LOCAL_EMBEDDING_MODEL} "
                    "(or give a directory holding a sentence-transformers model); "
                    "for a model served over HTTP set EMBEDDING_BACKEND=openai"
                )

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AISettings:
        """Build the settings from ``environ`` (default ``os.environ``).

        Raises ``ImproperEnv`` (a ``ValueError``) naming the variable when a value is malformed.
        """
        env = os.environ if environ is None else environ
        api_key = _read_secret(env, "OPENAI_API_KEY") or "not-needed"
        embedding_key = _read_secret(env, "EMBEDDING_API_KEY") or api_key
        backend = _str(env, "EMBEDDING_BACKEND", "local").lower()
        if backend not in EMBEDDING_BACKENDS:
            raise ImproperEnv(f"EMBEDDING_BACKEND={backend!r} is not supported (use 'local' or 'openai')")
        chat_model = _str(env, "CHAT_MODEL")
        transcription_key = _read_secret(env, "TRANSCRIPTION_API_KEY") or api_key
        return cls(
            openai_base_url=_url(env, "OPENAI_BASE_URL"),
            openai_api_key=api_key,
            chat_model=chat_model,
            generation_model=_str(env, "GENERATION_MODEL", chat_model),
            embedding_backend=backend,
            embedding_model=_str(env, "EMBEDDING_MODEL", DEFAULT_LOCAL_EMBEDDING_MODEL),
            embedding_base_url=_url(env, "EMBEDDING_BASE_URL"),
            embedding_api_key=embedding_key,
            embedding_request_dimensions=_bool(env, "EMBEDDING_REQUEST_DIMENSIONS", False),
            embedding_threads=_int(env, "EMBEDDING_THREADS", _default_threads(), minimum=1),
            request_timeout_s=_float(env, "AI_TIMEOUT", 60.0, minimum_exclusive=0.0),
            max_retries=_int(env, "AI_MAX_RETRIES", 2, minimum=0),
            transcription_model=_str(env, "TRANSCRIPTION_MODEL"),
            transcription_base_url=_url(env, "TRANSCRIPTION_BASE_URL"),
            transcription_api_key=transcription_key,
            transcription_timeout_s=_float(env, "TRANSCRIPTION_TIMEOUT", 900.0, minimum_exclusive=0.0),
        )

    # -- derived ------------------------------------------------------------------------------

    @property
    def offline(self) -> bool:
        """True when no chat endpoint or no chat model is configured: features use extractive fallbacks."""
        return not self.openai_base_url or not self.chat_model

    @property
    def transcription_configured(self) -> bool:
        """True when recordings can be transcribed: a transcription model and an endpoint to ask."""
        return bool(self.transcription_model and self.transcription_base_url)

    @property
    def embedding_model_id(self) -> str:
        """Identifier of the vector space, stored with each chunk (a change means re-embedding)."""
        if self.embedding_backend == "local":
            name = self.embedding_model
            if name.lower() in LOCAL_MODEL_ALIASES:
                name = DEFAULT_LOCAL_EMBEDDING_MODEL
            return f"local:{name}"
        return f"openai:{self.embedding_model}"


_cached: AISettings | None = None


def install_settings(settings: AISettings) -> None:
    """Make ``settings`` the process-wide settings: the Django settings module validates the environment at
    start-up and installs the result here, so a bad value stops start-up instead of a chat page."""
    global _cached
    _cached = settings


def get_settings() -> AISettings:
    """The process-wide settings: those installed at start-up, else (outside Django, or after
    ``clear_settings_cache()``) built from the environment on first use and then cached."""
    global _cached
    settings = _cached
    if settings is None:
        settings = AISettings.from_env()
        _cached = settings
    return settings


def clear_settings_cache() -> None:
    global _cached
    _cached = None
