"""The passages of one answer, each piece of text once.

Retrieval can return the same text more than once: a chunk found by two searches (a follow-up searched alone
and with the previous question), two chunks of one long page that share the chunker's overlap, or a slide
repeated verbatim on another page or in another upload of the same deck. Overlapping chunks of one page become
one passage (the overlap once, the better-ranked chunk kept whole); a passage whose text is already shown
elsewhere is dropped. Nothing here imports Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

# Chunks of one page sharing a run of at least this many words overlap (the chunker repeats ~45 words).
MIN_SHARED_WORDS = 8
# Text added to a passage from an overlapping chunk is cut to keep the passage within this many characters.
MIN_ADDED_CHARS = 40

_WORD = re.compile(r"\S+")


@dataclass
class Passage:
    hit: Any  # the best-ranked retrieval hit of the passage (lecture_id, lecture_name, page, chunk_id, text)
    text: str
    chunk_ids: list[int]


def _spans(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    matches = list(_WORD.finditer(text))
    return [m.group().casefold() for m in matches], [m.span() for m in matches]


def _shared_run(a: list[str], b: list[str]):
    return SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))


def _append(kept: str, extra: str, max_chars: int) -> str:
    room = max_chars - len(kept) - 1
    extra = extra.strip()
    if not extra or room < MIN_ADDED_CHARS:
        return kept
    if len(extra) > room:
        extra = extra[: room - 2].rsplit(" ", 1)[0] + " …"
    return f"{kept}\n{extra}"


def _prepend(extra: str, kept: str, max_chars: int) -> str:
    room = max_chars - len(kept) - 1
    extra = extra.strip()
    if not extra or room < MIN_ADDED_CHARS:
        return kept
    if len(extra) > room:
        extra = "… " + extra[-(room - 2) :].split(" ", 1)[-1]
    return f"{extra}\n{kept}"


def merge_overlapping(kept: str, other: str, *, max_chars: int) -> str | None:
    """``kept`` extended with what ``other`` (a chunk of the same page) adds, or None when they do not overlap.

    ``kept`` stays whole; the added text is cut on its far side to fit ``max_chars``.
    """
    a_words, _ = _spans(kept)
    b_words, b_spans = _spans(other)
    if not a_words or not b_words:
        return kept if not b_words else None
    run = _shared_run(a_words, b_words)
    if run.size < min(MIN_SHARED_WORDS, len(a_words), len(b_words)):
        return None
    if run.size == len(b_words):  # other lies inside kept
        return kept
    # What other holds before and after the shared run is not in kept: the chunker's overlap puts the run at the
    # end of one chunk and the start of the next, so this is the page's text in order, the overlap once.
    text = kept
    if run.b + run.size < len(b_words):
        text = _append(text, other[b_spans[run.b + run.size - 1][1] :], max_chars)
    if run.b > 0:
        text = _prepend(other[: b_spans[run.b][0]], text, max_chars)
    return text


def is_repeated(text: str, shown: str) -> bool:
    """``text`` is already shown, word for word, inside ``shown`` (case and spacing aside)."""
    a_words, _ = _spans(shown)
    b_words, _ = _spans(text)
    if not b_words:
        return True
    return f" {' '.join(b_words)} " in f" {' '.join(a_words)} "


def distinct_passages(hits, *, limit: int, max_chars: int) -> list[Passage]:
    """At most ``limit`` passages from ``hits`` (best first), no chunk and no text twice (see the module
    docstring)."""
    passages: list[Passage] = []
    seen: set[int] = set()
    for hit in hits:
        if hit.chunk_id in seen:
            continue
        seen.add(hit.chunk_id)
        merged = False
        for passage in passages:
            if (passage.hit.lecture_id, passage.hit.page) != (hit.lecture_id, hit.page):
                continue
            text = merge_overlapping(passage.text, hit.text, max_chars=max_chars)
            if text is not None:
                passage.text = text
                passage.chunk_ids.append(hit.chunk_id)
                merged = True
                break
        if merged or any(is_repeated(hit.text, p.text) for p in passages):
            continue
        if len(passages) < limit:
            passages.append(Passage(hit=hit, text=hit.text, chunk_ids=[hit.chunk_id]))
    return passages
