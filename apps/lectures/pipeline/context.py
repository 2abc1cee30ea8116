"""What a passage means beyond its own words: the slide title it sits under, and whether its page teaches
anything or only lists topics (an agenda, a summary, a section divider).

A slide's title often carries its meaning while its body is code or a keyword list ("Reserved Words" over a
table of keywords), so each chunk keeps its page's title: the embedding reads it as a prefix, and full-text search
weighs its words most. Pages that only name topics taught elsewhere ("Contents",
"Summary", a slide holding just "Stacks") match many questions and answer none; they are marked so retrieval
can rank them below the pages that teach. Nothing here imports Django.
"""

from __future__ import annotations

import re
import unicodedata

from .models import Page

TITLE_MAX_CHARS = 200
MAX_TITLE_HEADINGS = 3
# Titles of pages that list topics instead of teaching one (English and French), alone or with filler words
# ("Summary", "Table of contents", "Today's agenda"); "Conversion overview" or "C++ Compilation Process
# Overview" name a topic and teach it.
OVERVIEW_WORDS = re.compile(
    r"\b(summary|recap|overview|outline|agenda|contents|table of contents|roadmap|conclusions?|"
    r"learning objectives|objectives|sommaire|résumé|plan|plan du cours|ordre du jour|table des matières)\b"
)
OVERVIEW_FILLER = frozenset(
    {"of", "the", "this", "today", "s", "lecture", "lectures", "course", "week", "session", "chapter", "part"}
    | {"and", "in", "for", "our", "du", "de", "la", "le", "les", "cours", "séance", "chapitre", "aujourd", "hui"}
)
# A body whose lines are mostly other pages' titles is an outline, whatever its title.
OUTLINE_MIN_LINES = 3
OUTLINE_SHARE = 0.6
# A page with fewer body words than this besides its headings is a divider (or a figure without text).
DIVIDER_MAX_BODY_WORDS = 3


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"^(?:[\s\-–—•●▪◦*·]|\d+[.)]\s)+", "", text)  # bullets and numbering
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def _own_title(page: Page) -> str:
    headings = [" ".join(b.text.split()) for b in page.blocks if b.kind == "heading" and b.text.strip()]
    return " · ".join(headings[:MAX_TITLE_HEADINGS])[:TITLE_MAX_CHARS]


def page_titles(pages: list[Page]) -> dict[int, str]:
    """Page number -> its title: its own headings, or the last title before it (a continued slide)."""
    titles, last = {}, ""
    for page in pages:
        own = _own_title(page)
        last = own or last
        titles[page.number] = last
    return titles


def _body_lines(page: Page) -> list[str]:
    lines = []
    for block in page.blocks:
        if block.kind != "heading":
            lines.extend(line for line in (_norm(x) for x in block.text.splitlines()) if line)
    return lines


def _is_overview_title(title: str) -> bool:
    first = _norm(title.split(" · ")[0])
    if not OVERVIEW_WORDS.search(first):
        return False
    return not [w for w in OVERVIEW_WORDS.sub(" ", first).split() if w not in OVERVIEW_FILLER]


def overview_pages(pages: list[Page]) -> set[int]:
    """Numbers of the pages that list topics rather than teach one: a summary/agenda/outline title, a body made
    mostly of other pages' titles, or no body at all (a section divider)."""
    own = {p.number: _own_title(p) for p in pages}
    headings_elsewhere: dict[int, set[str]] = {}
    all_headings = {
        (p.number, _norm(b.text)) for p in pages for b in p.blocks if b.kind == "heading" and b.text.strip()
    }
    for page in pages:
        headings_elsewhere[page.number] = {h for n, h in all_headings if n != page.number and h}
    found = set()
    for page in pages:
        title = own[page.number]
        lines = _body_lines(page)
        body_words = sum(len(line.split()) for line in lines) + len(page.notes.split())
        if title and (_is_overview_title(title) or body_words < DIVIDER_MAX_BODY_WORDS):
            found.add(page.number)
        elif len(lines) >= OUTLINE_MIN_LINES:
            others = headings_elsewhere[page.number]
            named = sum(1 for line in lines if line in others)
            if named >= OUTLINE_SHARE * len(lines):
                found.add(page.number)
    return found


def embedding_text(title: str, text: str) -> str:
    """The text a chunk's vector is computed from: the slide title as context, then the passage. (The lecture's
    name as a further prefix was measured and made ranking worse: names are often file names.)"""
    return f"{title}\n{text}" if title else text
