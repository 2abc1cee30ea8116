"""Markdown (incl. Quarto slides) and plain-text extraction.

Markdown pages: a new page starts at every level-1/level-2 heading and at every ``---`` slide separator
(Quarto/reveal.js decks use ``##`` per slide), so citations point at a slide-sized unit. Plain text pages:
split on form feeds, otherwise every ~60 lines (at a blank line when one is near).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from .models import Block, Page

LINES_PER_TEXT_PAGE = 60

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_HR = re.compile(r"^ {0,3}((?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_DIV = re.compile(r"^ {0,3}(:{3,})\s*(.*)$")
_LIST = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+\S")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_ATTRS = re.compile(r"\s*\{[^{}]*\}\s*$")  # pandoc/quarto attributes: ## Title {.smaller}
_PAUSE = re.compile(r"^\s*\.\s\.\s\.\s*$")  # quarto incremental pause
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)(\{[^}]*\})?")


def read_text_file(path) -> str:
    data = Path(path).read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    text = data.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _strip_front_matter(lines: list[str]) -> tuple[list[str], list[Block]]:
    """Remove a YAML front matter; return its title/subtitle as heading blocks."""
    if not lines or lines[0].strip() != "---":
        return lines, []
    for i in range(1, min(len(lines), 500)):
        if lines[i].strip() in ("---", "..."):
            blocks = []
            for key in ("title", "subtitle"):
                for line in lines[1:i]:
                    m = re.match(rf"^{key}:\s*(.+?)\s*$", line)
                    if m:
                        value = m.group(1).strip().strip("\"'")
                        if value:
                            blocks.append(Block(value, "heading"))
                        break
            return lines[i + 1 :], blocks
    return lines, []


def _table_row(line: str) -> str:
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    return " | ".join(cells)


def _clean_inline(text: str) -> str:
    text = _IMAGE.sub(lambda m: m.group(1), text)
    return text


def parse_markdown(
    text: str, *, split_pages: bool = True, render: Callable[[Block], list[Block]] | None = None
) -> list[Page]:
    """Markdown -> pages of blocks (fenced code is kept verbatim as a "text" block).

    ``split_pages=False`` reads ``text`` as one slide (reveal.js ``data-markdown``): no front matter, and
    headings or ``---`` do not start a new page, so the result has at most one page. ``render`` turns every
    non-code block (heading, paragraph, list, table) into the blocks to keep, e.g. to resolve inline markup
    and HTML; code blocks never pass through it.
    """
    text = _COMMENT.sub("", text)
    if split_pages:
        lines, title_blocks = _strip_front_matter(text.split("\n"))
    else:
        lines, title_blocks = text.split("\n"), []

    pages: list[dict] = []
    cur = {"blocks": list(title_blocks), "notes": []}
    para: list[str] = []
    para_kind = "text"
    in_notes = 0  # nesting depth of ::: {.notes} divs
    div_stack: list[bool] = []

    def target():
        return cur["notes"] if in_notes else cur["blocks"]

    def emit(block: Block):
        target().extend(render(block) if render else [block])

    def flush():
        nonlocal para, para_kind
        if para:
            body = _clean_inline("\n".join(para)).strip("\n")
            if body.strip():
                emit(Block(body, para_kind))
        para = []
        para_kind = "text"

    def new_page(final: bool = False):
        nonlocal cur
        flush()
        if not (split_pages or final):
            return
        if cur["blocks"] or cur["notes"]:
            pages.append(cur)
        cur = {"blocks": [], "notes": []}

    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        stripped = line.strip()

        fence = _FENCE.match(line)
        if fence:
            flush()
            marker = fence.group(1)
            body = []
            i += 1
            while i < n and not lines[i].strip().startswith(marker[0] * len(marker)):
                body.append(lines[i])
                i += 1
            i += 1  # closing fence
            code = "\n".join(body).strip("\n")
            if code.strip():
                target().append(Block(code, "text"))
            continue

        div = _DIV.match(line)
        if div:
            flush()
            attrs = div.group(2).strip()
            if attrs:  # opening div
                is_notes = ".notes" in attrs
                div_stack.append(is_notes)
                if is_notes:
                    in_notes += 1
            elif div_stack and div_stack.pop():  # closing a notes div
                in_notes -= 1
            i += 1
            continue

        if _PAUSE.match(line):
            flush()
            i += 1
            continue

        if not stripped:
            flush()
            i += 1
            continue

        atx = _ATX.match(line)
        if atx:
            level = len(atx.group(1))
            title = _ATTRS.sub("", atx.group(2) or "").strip()
            if level <= 2 and not in_notes:
                new_page()
            else:
                flush()
            if title:
                emit(Block(title, "heading"))
            i += 1
            continue

        # setext heading: a paragraph line followed by === or ---
        if para and para_kind == "text" and len(para) == 1 and _SETEXT.match(line):
            title = _ATTRS.sub("", para[0]).strip()
            para = []
            if not in_notes:
                new_page()
            emit(Block(title, "heading"))
            i += 1
            continue

        if _HR.match(line) and not para:
            if stripped.startswith("-") and not in_notes:
                new_page()  # reveal.js / quarto slide separator
            else:
                flush()
            i += 1
            continue

        is_table_row = stripped.startswith("|") or (
            "|" in stripped and i + 1 < n and _TABLE_SEP.match(lines[i + 1]) and "-" in lines[i + 1]
        )
        if is_table_row and (para_kind == "table" or not para):
            if para_kind != "table":
                flush()
                para_kind = "table"
            if not _TABLE_SEP.match(line):
                para.append(_table_row(line))
            i += 1
            continue

        if _LIST.match(line):
            if para_kind != "list":
                flush()
                para_kind = "list"
            para.append(line.rstrip())
            i += 1
            continue

        if para_kind == "list" and line[:1] in (" ", "\t"):
            para.append(line.rstrip())  # continuation of a list item
            i += 1
            continue
        if para_kind != "text":
            flush()
        para.append(line.rstrip())
        i += 1

    new_page(final=True)
    return [
        Page(number=k + 1, blocks=p["blocks"], method="native", notes="\n\n".join(b.text for b in p["notes"]))
        for k, p in enumerate(pages)
    ]


def _text_blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    para: list[str] = []

    def flush():
        if para:
            body = "\n".join(para).strip("\n")
            if body.strip():
                kind = (
                    "list" if all(_LIST.match(x) or x[:1] in " \t" for x in para) and _LIST.match(para[0]) else "text"
                )
                blocks.append(Block(body, kind))
            para.clear()

    for line in lines:
        if line.strip():
            para.append(line.rstrip())
        else:
            flush()
    flush()
    return blocks


def parse_text(text: str) -> list[Page]:
    if "\f" in text:
        chunks = [c.split("\n") for c in text.split("\f")]
    else:
        lines = text.split("\n")
        chunks = []
        start = 0
        while start < len(lines):
            end = min(len(lines), start + LINES_PER_TEXT_PAGE)
            if end < len(lines):
                # prefer to cut at a blank line in the last third of the window
                for j in range(end, start + (2 * LINES_PER_TEXT_PAGE) // 3, -1):
                    if not lines[j - 1].strip():
                        end = j
                        break
            chunks.append(lines[start:end])
            start = end
    pages = []
    for chunk in chunks:
        blocks = _text_blocks(chunk)
        if blocks:
            pages.append(Page(number=len(pages) + 1, blocks=blocks, method="native"))
    return pages


def extract_markdown(path) -> list[Page]:
    return parse_markdown(read_text_file(path))


def extract_text(path) -> list[Page]:
    return parse_text(read_text_file(path))
