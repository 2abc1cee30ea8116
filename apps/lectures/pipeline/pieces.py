"""The pieces of a chunk that get vectors of their own: its bullet points and sentences, alone and in pairs.

A chunk's vector averages everything on its slide, so a question about one line of it ("which words can I not
use as variable names?" over a title, one sentence and a table of keywords) can sit far from the whole. Each
piece is embedded with the slide title in front, like its chunk; retrieval ranks a candidate chunk by its best
piece as well (retrieval.search), so the line that answers a question counts at full strength. Pieces point
back to their chunk and are never shown or cited on their own. Nothing here imports Django.
"""

from __future__ import annotations

import re

from .context import embedding_text

# A line starting a bullet point or a numbered item begins a new unit.
_ITEM = re.compile(r"^(?:[•●▪◦*·\-–—]|\d+[.)])\s")
_SENTENCE_END = re.compile(r"[.!?:]$")
# A unit of running text (code, a long paragraph) is closed at about this many words.
UNIT_MAX_WORDS = 40
# Pieces are single units and pairs of neighbouring units (a bullet and its continuation, a line of code
# and its output).
WINDOW = 2
# Bounds the extra embedding work of a long chunk (ingestion embeds every piece).
MAX_PIECES = 24


def units(title: str, text: str) -> list[str]:
    """The chunk's text as bullet points / sentences (lines joined where a PDF wrapped them)."""
    out: list[str] = []
    current: list[str] = []
    words = 0
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line or line == title:
            continue
        if current and (_ITEM.match(line) or _SENTENCE_END.search(current[-1]) or words >= UNIT_MAX_WORDS):
            out.append(" ".join(current))
            current, words = [], 0
        current.append(line)
        words += len(line.split())
    if current:
        out.append(" ".join(current))
    return out


def piece_texts(title: str, text: str) -> list[str]:
    """The texts to embed for the pieces of one chunk, title first; none when the chunk is a single unit (its
    own vector is that unit's)."""
    parts = units(title, text)
    if len(parts) < 2:
        return []
    seen: dict[str, None] = {}
    for size in range(1, WINDOW + 1):
        for start in range(len(parts) - size + 1):
            seen.setdefault(" ".join(parts[start : start + size]), None)
    return [embedding_text(title, piece) for piece in list(seen)[:MAX_PIECES]]
