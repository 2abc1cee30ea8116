"""Split cleaned pages into ~N-token chunks with overlap. A chunk never crosses a page boundary."""

from __future__ import annotations

import math
import re
from collections import defaultdict

from .context import overview_pages, page_titles
from .models import ChunkDraft, Page

KIND_PRIORITY = {"table": 3, "list": 2, "text": 1, "heading": 0}


def estimate_tokens(text: str) -> int:
    """Cheap token estimate: ~1.3 tokens per word, or 1 per 4 characters for space-less text."""
    words = len(text.split())
    return int(math.ceil(max(words * 1.3, len(text) / 4.0)))


def _split_piece(text: str, max_tokens: int) -> list[str]:
    """Split text into pieces of at most ``max_tokens`` (by lines, then sentences, then words)."""
    if estimate_tokens(text) <= max_tokens:
        return [text]
    for pattern in (r"\n", r"(?<=[.!?;:])\s+"):
        parts = [p for p in re.split(pattern, text) if p.strip()]
        if len(parts) > 1:
            out: list[str] = []
            for part in parts:
                out.extend(_split_piece(part, max_tokens))
            return out
    words = text.split()
    per = max(1, int(max_tokens / 1.3))
    # very long "words" (URLs, base64, CJK) are cut by characters
    out = []
    for i in range(0, len(words), per):
        piece = " ".join(words[i : i + per])
        while estimate_tokens(piece) > max_tokens and len(piece) > 4 * max_tokens:
            out.append(piece[: 4 * max_tokens])
            piece = piece[4 * max_tokens :]
        out.append(piece)
    return out


def _tail(text: str, tokens: int) -> str:
    if tokens <= 0:
        return ""
    words = text.split()
    n = max(1, int(tokens / 1.3))
    tail = " ".join(words[-n:])
    if len(tail) > 4 * tokens:
        tail = tail[-4 * tokens :]
    return tail


def _pack(pieces: list[tuple[str, str]], target: int, overlap: int) -> list[tuple[str, str]]:
    """Greedy packing of (text, kind) pieces into chunks; returns (text, dominant kind)."""
    chunks: list[tuple[str, str]] = []
    cur: list[tuple[str, str]] = []
    cur_tokens = 0

    def emit():
        weights: dict[str, int] = defaultdict(int)
        for text, kind in cur:
            weights[kind] += estimate_tokens(text)
        kind = max(weights, key=lambda k: (weights[k], KIND_PRIORITY.get(k, 0)))
        chunks.append(("\n".join(t for t, _ in cur), kind))

    for text, kind in pieces:
        t = estimate_tokens(text)
        if cur and cur_tokens + t > target:
            previous = "\n".join(x for x, _ in cur)
            emit()
            tail = _tail(previous, overlap)
            # the overlap is context only: it takes the kind of what follows so it cannot dominate
            cur = [(tail, kind)] if tail else []
            cur_tokens = estimate_tokens(tail) if tail else 0
        cur.append((text, kind))
        cur_tokens += t
    if cur:
        emit()
    return chunks


def chunk_pages(pages: list[Page], target_tokens: int = 500, overlap_tokens: int = 60) -> list[ChunkDraft]:
    target = max(20, int(target_tokens))
    overlap = max(0, min(int(overlap_tokens), target // 2))
    piece_max = max(10, target - overlap)
    drafts: list[ChunkDraft] = []
    titles, overviews = page_titles(pages), overview_pages(pages)
    for page in pages:
        context = {"title": titles.get(page.number, ""), "overview": page.number in overviews}
        pieces: list[tuple[str, str]] = []
        for block in page.blocks:
            if block.text.strip():
                pieces.extend((p, block.kind) for p in _split_piece(block.text.strip(), piece_max))
        for text, kind in _pack(pieces, target, overlap):
            drafts.append(
                ChunkDraft(text=text, page=page.number, chunk_index=len(drafts), content_type=kind, **context)
            )
        if page.notes and page.notes.strip():
            prefix = "Speaker notes: "
            note_pieces = [(p, "text") for p in _split_piece(page.notes.strip(), piece_max - 3)]
            for text, _ in _pack(note_pieces, target - 3, overlap):
                drafts.append(
                    ChunkDraft(
                        text=prefix + text, page=page.number, chunk_index=len(drafts), content_type="text", **context
                    )
                )
    return drafts
