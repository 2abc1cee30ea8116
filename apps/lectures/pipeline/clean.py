"""Remove page furniture: running headers/footers and slide/page numbers. Block kinds are preserved.

Rules (conservative: losing content is worse than keeping a footer):
- a running header/footer is a short line found in the top or bottom ``EDGE_LINES`` lines of at least
  ``ratio`` of the pages (and at least ``min_pages`` pages), either verbatim or with a number that follows
  the page number ("Lecture 3 - p. 7" on page 7, "Lecture 3 - p. 8" on page 8); it is removed only where it
  sits at a page edge. Heading lines must repeat verbatim on ``heading_ratio`` of the pages ("Topic 1",
  "Topic 2"... stay);
- "Page 3 of 10" / "Slide 4" style lines are removed anywhere;
- a bare number at a page edge is removed when it equals the page number or follows the document's
  dominant page-number offset (e.g. title slide unnumbered); other bare numbers (code output, diagram
  labels) are kept.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from .models import Block, Page

_BARE_NUMBER = re.compile(r"^[-–—(\[]?\s*(\d{1,4})\s*[-–—)\]]?(?:\s*(?:/|of|de|von|sur)\s*\d{1,4})?$", re.I)
_EXPLICIT_PAGE_NUMBER = re.compile(
    r"^(?:page|slide|seite|p\.|pg\.|diapositive|folie)\s*\d{1,4}(?:\s*(?:of|/|de|von|sur|from)\s*\d{1,4})?$"
    r"|^\d{1,4}\s*(?:of|von|sur)\s*\d{1,4}$",
    re.I,
)
EDGE_LINES = 3


def _norm(line: str) -> str:
    line = " ".join(line.split()).lower()
    return re.sub(r"\d+", "#", line)


def _candidate(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= 15 and len(line) <= 120 and not _BARE_NUMBER.match(line.strip())


def _edge_positions(page: Page) -> list[tuple[int, int, str]]:
    """(block index, line index, text) of the first and last EDGE_LINES non-empty lines."""
    flat = [
        (bi, li, line.strip())
        for bi, b in enumerate(page.blocks)
        for li, line in enumerate(b.text.split("\n"))
        if line.strip()
    ]
    if len(flat) <= 2 * EDGE_LINES:
        return flat
    return flat[:EDGE_LINES] + flat[-EDGE_LINES:]


def clean_pages(pages: list[Page], min_pages: int = 3, ratio: float = 0.5, heading_ratio: float = 0.8) -> list[Page]:
    """Return new Page objects without running headers/footers and page numbers."""
    n = len(pages)
    edges = [_edge_positions(p) for p in pages]

    exact: Counter[str] = Counter()
    # normalised line -> Counter of (slot, number - page number): a slot that tracks the page is a page number
    tracking: dict[str, Counter] = {}
    offsets: Counter[int] = Counter()
    for page, edge in zip(pages, edges, strict=True):
        seen_exact, seen_norm = set(), set()
        for _, _, text in edge:
            m = _BARE_NUMBER.match(text)
            if m:
                offsets[int(m.group(1)) - page.number] += 1
                continue
            if not _candidate(text):
                continue
            key = " ".join(text.split()).lower()
            norm = _norm(text)
            if key not in seen_exact:
                seen_exact.add(key)
                exact[key] += 1
            if norm not in seen_norm:
                seen_norm.add(norm)
                numbers = re.findall(r"\d+", text)
                slots = tracking.setdefault(norm, Counter())
                for slot, num in enumerate(numbers):
                    slots[(slot, int(num) - page.number)] += 1
    good_offsets = {0} | {off for off, c in offsets.items() if c >= max(2, 0.3 * n)}

    def running(text: str, kind: str) -> bool:
        if n < min_pages or not _candidate(text):
            return False
        need = max(min_pages, (heading_ratio if kind == "heading" else ratio) * n)
        if exact.get(" ".join(text.split()).lower(), 0) >= need:
            return True
        if kind == "heading":
            return False
        slots = tracking.get(_norm(text))
        return bool(slots) and max(slots.values()) >= need

    out: list[Page] = []
    for page, edge in zip(pages, edges, strict=True):
        drop: set[tuple[int, int]] = set()
        for bi, li, text in edge:
            kind = page.blocks[bi].kind
            m = _BARE_NUMBER.match(text)
            if m:
                if int(m.group(1)) - page.number in good_offsets:
                    drop.add((bi, li))
                continue
            if running(text, kind):
                drop.add((bi, li))
        new_blocks: list[Block] = []
        for bi, block in enumerate(page.blocks):
            kept = [
                line
                for li, line in enumerate(block.text.split("\n"))
                if (bi, li) not in drop and not _EXPLICIT_PAGE_NUMBER.match(line.strip())
            ]
            text = "\n".join(kept).strip("\n")
            if text.strip():
                new_blocks.append(Block(text, block.kind))
        out.append(replace(page, blocks=new_blocks, figures=list(page.figures)))
    return out
