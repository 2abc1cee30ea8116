"""AI providers for MySmartNotes: chat/generation through an OpenAI-compatible endpoint, embeddings
(local all-MiniLM-L6-v2 by default, or the endpoint), speech-to-text of recordings, and safe Markdown
rendering.

Does not import Django. Configuration comes from ``AISettings.from_env()`` (see ``config.py`` for the
variables); every function takes an optional ``settings`` and otherwise uses the cached process settings.
"""

from .chat import astream_chat, complete_chat, complete_json, is_offline, parse_json_reply, stream_chat
from .clients import reset_caches
from .config import EMBEDDING_DIMENSIONS, AISettings, get_settings
from .embeddings import (
    embed_query,
    embed_texts,
    embedding_model_id,
    local_model_loaded,
    local_model_path,
    warm_up,
    warm_up_in_background,
)
from .errors import (
    AIError,
    AINotConfigured,
    AIResponseError,
    AIUnavailable,
    EmbeddingDimensionError,
)
from .markdown import escape_markdown, render_markdown, sanitize_html
from .transcription import (
    Segment,
    TranscriptionFailed,
    TranscriptionNotConfigured,
    TranscriptionUnavailable,
    transcribe,
    transcription_configured,
)

__all__ = [
    "EMBEDDING_DIMENSIONS",
    "AIError",
    "AINotConfigured",
    "AIResponseError",
    "AISettings",
    "AIUnavailable",
    "EmbeddingDimensionError",
    "Segment",
    "TranscriptionFailed",
    "TranscriptionNotConfigured",
    "TranscriptionUnavailable",
    "astream_chat",
    "complete_chat",
    "complete_json",
    "embed_query",
    "embed_texts",
    "embedding_model_id",
    "escape_markdown",
    "get_settings",
    "is_offline",
    "local_model_path",
    "parse_json_reply",
    "render_markdown",
    "reset_caches",
    "sanitize_html",
    "stream_chat",
    "transcribe",
    "transcription_configured",
    "warm_up",
    "warm_up_in_background",
    "local_model_loaded",
]
