"""HTML extraction: reveal.js slide decks, plain lecture notes and Jupyter (nbconvert) exports.

- **reveal.js** (a ``.slides`` container, usually inside ``.reveal``): one page per leaf slide in deck order
  (``.slides > section``; a section holding sections is a vertical stack whose children are the slides).
  ``data-markdown`` slides go through :func:`text_formats.parse_markdown` (one slide each, or several when the
  section sets ``data-separator``/``data-separator-vertical``, as reveal.js itself only splits then);
  ``Note:`` and ``<aside class="notes">`` become ``Page.notes``.
- **plain HTML**: a new page at every ``<h1>``/``<h2>`` (not right after another heading), at most
  ~:data:`MAX_WORDS_PER_PAGE` words per page.
- **nbconvert** (``jp-Cell``/``cell`` divs): as plain HTML, without the ``In [n]:``/``Out [n]:`` prompts,
  heading anchors and error output; code cells are code blocks.

Block mapping: headings -> "heading", ``ul``/``ol`` -> "list" ("- " / "1. " lines, two spaces per level),
``table`` -> "table" (" | " between cells; layout tables holding tables/code are read cell by cell),
``pre`` -> "text" with its line breaks intact, everything else -> "text". Scripts, styles, templates, nav,
footers, forms, iframes, SVG and hidden elements are dropped. Nothing is ever fetched: only inline ``data:``
images can become figures. The parser is libxml2 (lxml, already required by python-docx/python-pptx) without
``huge_tree``: nesting deeper than 256 and text nodes over 10 MB end the parse there, entities are never
expanded beyond the HTML character references, and malformed markup is repaired, never an exception.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html as std_html
import logging
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from .errors import IngestError
from .figures import FigureCollector
from .models import Block, Limits, Page
from .office import _picture_to_collector
from .scheduler import Deadline, ProgressReporter
from .text_formats import parse_markdown
from .text_thumbnails import render_text_thumbnail

log = logging.getLogger(__name__)

MAX_HTML_BYTES = 50 * 1024 * 1024
MAX_TAGS = 1_500_000  # '<' count: a libxml2 tree costs ~130 bytes per element, keep it well under the memory limit
MAX_WALK_DEPTH = 200  # deeper subtrees are read as flat text (libxml2 itself stops at 256)
MAX_DATA_URI_CHARS = 4_000_000  # larger inline images are dropped before parsing (~3 MB of image)
MAX_WORDS_PER_PAGE = 3000
MAX_SEPARATOR_CHARS = 300

DEFAULT_SLIDE_SEPARATOR = r"^\r?\n---\r?\n$"
DEFAULT_NOTES_SEPARATOR = r"^\s*notes?:"

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
PAGE_BREAK_HEADINGS = {"h1", "h2"}
LISTS = {"ul", "ol", "menu", "dir"}
SKIP_TAGS = {
    "script", "style", "noscript", "template", "head", "title", "meta", "link", "base", "nav", "footer",
    "iframe", "frame", "frameset", "object", "embed", "applet", "param", "svg", "canvas", "audio", "video",
    "source", "track", "picture", "map", "area", "form", "button", "input", "select", "option", "optgroup",
    "textarea", "datalist", "dialog", "slot",
}  # fmt: skip
BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "header", "hgroup", "html", "legend", "li", "main", "p",
    "section", "summary", "tbody", "td", "tfoot", "th", "thead", "tr",
}  # fmt: skip
NOTEBOOK_SKIP_CLASSES = {
    "jp-InputPrompt", "jp-OutputPrompt", "input_prompt", "output_prompt", "prompt", "anchor-link",
    "jp-Collapser", "output_error", "output_stderr",
}  # fmt: skip
NOTEBOOK_SKIP_MIME = {"application/vnd.jupyter.stderr"}

# HTML elements a Markdown slide may contain verbatim; any other "<word" (<iostream>, <T>, a < b) is text
_KNOWN_TAGS = (
    "a|abbr|address|article|aside|audio|b|bdi|bdo|big|blockquote|br|button|canvas|caption|center|cite|code|col|"
    "colgroup|dd|del|details|dfn|dialog|div|dl|dt|em|embed|figcaption|figure|font|footer|form|h[1-6]|header|hr|"
    "i|iframe|img|input|ins|kbd|label|li|main|mark|math|nav|noscript|object|ol|p|picture|pre|q|s|samp|script|"
    "section|select|small|source|span|strike|strong|style|sub|summary|sup|svg|table|tbody|td|template|textarea|"
    "tfoot|th|thead|time|tr|tt|u|ul|var|video|wbr"
)
_HTML_TAG_START = re.compile(rf"<(?!/?(?:{_KNOWN_TAGS})(?=[\s/>])|!--)", re.I)
_BLOCK_HTML = re.compile(r"<(?:table|pre|ul|ol|dl|div|p|h[1-6]|blockquote|aside|section|figure|hr|li)\b", re.I)
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.S)
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])")
_MD_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^\s<>]+)>", re.I)
_PUNCT = r"!-/:-@\[-`{-~"


def _emphasis(delim: str) -> re.Pattern:
    """``delim``text``delim`` with CommonMark's flanking rules (so ``a*(b)`` or ``x_y_z`` stay literal)."""
    d, c = re.escape(delim), re.escape(delim[0])
    opening = rf"(?:(?<![^\s{_PUNCT}])|(?={d}[^\s{_PUNCT}]))(?<!{c}){d}(?![\s{c}])"
    closing = rf"(?<![\s{c}]){d}(?!{c})(?:(?![^\s{_PUNCT}])|(?<=[^\s{_PUNCT}]{d}))"
    if delim[0] == "_":  # no intraword emphasis with underscores
        opening, closing = rf"(?<![0-9A-Za-z]){opening}", rf"{closing}(?![0-9A-Za-z])"
    return re.compile(rf"{opening}(.+?){closing}")


_MD_EMPHASIS = tuple(_emphasis(d) for d in ("***", "___", "**", "__", "*", "_", "~~"))
_MD_BULLET = re.compile(r"^(\s*)[-*+•]\s+")
_MD_ASIDE_NOTES = re.compile(
    r"<aside\b[^>]*\bclass\s*=\s*[\"'][^\"']*\bnotes\b[^\"']*[\"'][^>]*>(.*?)</aside\s*>", re.I | re.S
)
_PROMPT_TEXT = re.compile(r"^\s*(?:In|Out)\s*\[[\d\s*]*\]:\s*")
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]{1,40})", re.I)
_BIG_DATA_URI = re.compile(r"data:[^\"'\s>)]{" + str(MAX_DATA_URI_CHARS) + ",}")
_WS = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # never text; \f and \r\n\t are whitespace
_BR = "\ue000"  # line-break marker inside collected inline text (private use; stripped from the input)


# ------------------------------------------------------------------------------------------ reading
def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    declared = _META_CHARSET.search(data[:4096])
    encoding = None
    if declared:
        try:
            encoding = codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            encoding = None
    if encoding in (None, "utf-8") or encoding.startswith("utf-16"):  # a UTF-16 declaration in bytes is a lie
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            encoding = "cp1252"  # the HTML default for undeclared legacy pages
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:  # a declared codec that is not a text encoding (base64, rot13, …)
        return data.decode("utf-8", errors="replace")


def _read(path: Path) -> str:
    size = path.stat().st_size
    if size > MAX_HTML_BYTES:
        raise IngestError("too_much_memory", "This web page is too large to process.")
    data = path.read_bytes()
    if data.count(b"<") > MAX_TAGS:
        raise IngestError("too_much_memory", "This web page has too many elements to process safely.")
    text = _CONTROL.sub("", _decode(data)).replace(_BR, "")
    return _BIG_DATA_URI.sub("data:,", text)


def _parse_document(text: str):
    parser = lxml_html.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=False
    )
    try:
        return lxml_html.document_fromstring(text.encode("utf-8"), parser=parser)
    except etree.ParserError as exc:  # "Document is empty"
        raise IngestError("no_text", "This web page contains no text.") from exc
    except etree.LxmlError as exc:
        raise IngestError("corrupt", "This web page could not be read.") from exc


def _parse_fragment(text: str):
    parser = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)
    try:
        return lxml_html.fragment_fromstring(text.encode("utf-8"), create_parent="div", parser=parser)
    except etree.LxmlError:
        return None


# ------------------------------------------------------------------------------------------ helpers
def _classes(el) -> set[str]:
    return set((el.get("class") or "").split())


def _tag(el) -> str | None:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else None


def _is_hidden(el) -> bool:
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").lower() == "true":
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style


def _is_notes(el) -> bool:
    return _tag(el) == "aside" and "notes" in _classes(el)


def _collapse(text: str, one_line: bool = False) -> str:
    """HTML whitespace rules: runs of whitespace are one space; ``_BR`` markers are line breaks."""
    lines = [_WS.sub(" ", part).strip() for part in text.split(_BR)]
    lines = [line for line in lines if line]
    return (" " if one_line else "\n").join(lines)


def _code_text(el) -> str:
    """Text of a <pre>, line breaks and indentation intact (``<br>`` counts as a line break)."""
    parts: list[str] = []

    def walk(node, depth):
        if depth > MAX_WALK_DEPTH:
            parts.append(node.text_content())
            return
        if node.text:
            parts.append(node.text)
        for child in node:
            tag = _tag(child)
            if tag == "br":
                parts.append("\n")
            elif tag is not None and tag not in ("script", "style", "template"):
                walk(child, depth + 1)
            if child.tail:
                parts.append(child.tail)

    walk(el, 0)
    lines = "".join(parts).replace("\r\n", "\n").replace("\xa0", " ").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return ""
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents) if indents else 0
    return "\n".join(line[cut:].rstrip() for line in lines)


def _own_rows(table) -> list:
    """The table's rows, not those of tables nested in its cells."""
    rows = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(r for r in child if _tag(r) == "tr")
    return rows


# ------------------------------------------------------------------------------------------ convert
@dataclass
class _Item:
    block: Block | None = None
    page_break: bool = False
    note: str = ""
    image: str = ""


@dataclass
class _Converter:
    """Walks an element tree and emits a flat stream of blocks, notes and inline images."""

    notebook: bool = False
    deadline: Deadline | None = None
    items: list[_Item] = field(default_factory=list)
    _inline: list[str] = field(default_factory=list)
    _visited: int = 0

    # ---- entry points
    def convert_children(self, el) -> _Converter:
        self._children(el, 0)
        self._flush()
        return self

    def blocks(self) -> list[Block]:
        return [i.block for i in self.items if i.block is not None]

    def notes(self) -> list[str]:
        return [i.note for i in self.items if i.note]

    def images(self) -> list[str]:
        return [i.image for i in self.items if i.image]

    # ---- emitting
    def _emit(self, text: str, kind: str, page_break: bool = False) -> None:
        if self.notebook and kind == "text":
            text = _PROMPT_TEXT.sub("", text)
        if text.strip():
            self.items.append(_Item(block=Block(text, kind), page_break=page_break))

    def _flush(self) -> None:
        if self._inline:
            text = _collapse("".join(self._inline))
            self._inline = []
            self._emit(text, "text")

    def _tick(self) -> None:
        self._visited += 1
        if self._visited % 2000 == 0 and self.deadline is not None:
            self.deadline.check()

    def _skip(self, el, tag: str) -> bool:
        if tag in SKIP_TAGS or _is_hidden(el):
            return True
        if self.notebook:
            if _classes(el) & NOTEBOOK_SKIP_CLASSES:
                return True
            if el.get("data-mime-type") in NOTEBOOK_SKIP_MIME:
                return True
        return False

    # ---- walking
    def _children(self, el, depth: int) -> None:
        if el.text:
            self._inline.append(el.text)
        for child in el:
            self._node(child, depth + 1)
            if child.tail:
                self._inline.append(child.tail)

    def _node(self, el, depth: int) -> None:
        tag = _tag(el)
        if tag is None:  # comment / processing instruction
            return
        self._tick()
        if self._skip(el, tag):
            return
        if depth > MAX_WALK_DEPTH:
            self._inline.append(" " + el.text_content() + " ")
            return
        if tag == "br":
            self._inline.append(_BR)
        elif tag == "img":
            self._image(el)
        elif tag in HEADINGS:
            self._flush()
            self._heading(el, depth, tag)
        elif tag == "pre":
            self._flush()
            self._emit(_code_text(el), "text")
        elif tag in LISTS:
            self._flush()
            lines: list[str] = []
            self._list(el, 0, lines, depth)
            self._emit_list(lines)
        elif tag == "table":
            self._flush()
            self._table(el, depth)
        elif _is_notes(el):
            self._flush()
            sub = _Converter(notebook=self.notebook, deadline=self.deadline).convert_children(el)
            note = "\n\n".join(b.text for b in sub.blocks())
            if note:
                self.items.append(_Item(note=note))
        elif tag == "hr":
            self._flush()
        elif tag in ("sup", "sub"):
            self._inline.append(self._script_text(el, depth, tag))
        elif tag in BLOCK_TAGS:
            self._flush()
            self._children(el, depth)
            self._flush()
        else:
            self._children(el, depth)

    def _heading(self, el, depth: int, tag: str) -> None:
        """A heading; block content swallowed by an unclosed heading tag (``<h2>Title<h2><ol>…``) is read as
        ordinary content after it, as a browser shows it."""
        parts: list[str] = [el.text or ""]
        rest = []
        for child in el:
            if rest or (_tag(child) in (LISTS | BLOCK_TAGS | HEADINGS | {"pre", "table"})):
                rest.append(child)
                continue
            self._inline_node(child, depth + 1, parts)
            parts.append(child.tail or "")
        self._emit(_collapse("".join(parts), one_line=True), "heading", page_break=tag in PAGE_BREAK_HEADINGS)
        for child in rest:
            self._node(child, depth + 1)
            if child.tail:
                self._inline.append(child.tail)
        self._flush()

    def _image(self, el) -> None:
        src = (el.get("src") or "").strip()
        if src[:11].lower() == "data:image/":  # http(s)/relative sources are never fetched
            self.items.append(_Item(image=src))

    def _script_text(self, el, depth: int, tag: str) -> str:
        text = self.inline_text(el, depth, one_line=True)
        if not text:
            return ""
        if len(text) > 1 and not text.isalnum():
            text = f"({text})"
        return ("^" if tag == "sup" else "_") + text

    def inline_text(self, el, depth: int = 0, one_line: bool = False) -> str:
        """The element's text as inline content (block children become line breaks)."""
        parts: list[str] = [el.text or ""]
        for child in el:
            self._inline_node(child, depth + 1, parts)
            parts.append(child.tail or "")
        return _collapse("".join(parts), one_line=one_line)

    def _inline_node(self, node, depth: int, parts: list[str]) -> None:
        """Append ``node`` (not its tail) as inline text to ``parts``."""
        tag = _tag(node)
        if tag is None:
            return
        self._tick()
        if depth > MAX_WALK_DEPTH:
            parts.append(" " + node.text_content() + " ")
        elif self._skip(node, tag) or _is_notes(node):
            pass
        elif tag == "br":
            parts.append(_BR)
        elif tag == "img":
            self._image(node)
        elif tag in ("sup", "sub"):
            parts.append(self._script_text(node, depth, tag))
        else:
            block = tag in BLOCK_TAGS or tag in HEADINGS or tag in LISTS or tag in ("pre", "table", "hr")
            if block:
                parts.append(_BR)
            if node.text:
                parts.append(node.text)
            for child in node:
                self._inline_node(child, depth + 1, parts)
                if child.tail:
                    parts.append(child.tail)
            if block:
                parts.append(_BR)

    def _emit_list(self, lines: list[str]) -> None:
        if lines:
            self._emit("\n".join(lines), "list")
            lines.clear()

    def _list(self, el, level: int, lines: list[str], depth: int) -> None:
        ordered = _tag(el) == "ol"
        try:
            number = int(el.get("start") or 1)
        except ValueError:
            number = 1
        indent = "  " * min(level, 12)
        for child in el:
            tag = _tag(child)
            if tag is None:
                continue
            self._tick()
            if self._skip(child, tag):
                continue
            if tag in LISTS:  # a list directly inside a list (invalid but common)
                self._list(child, level + 1, lines, depth + 1)
                continue
            marker = f"{number}. " if ordered else "- "
            number += 1
            if tag != "li":
                text = self.inline_text(child, depth + 1, one_line=True)
                if text:
                    lines.append(indent + marker + text)
                continue
            self._li(child, level, lines, depth + 1, indent, marker)

    def _li(self, li, level: int, lines: list[str], depth: int, indent: str, marker: str) -> None:
        pieces: list[str] = [li.text or ""]
        first = True

        def flush_item():
            nonlocal first
            text = _collapse("".join(pieces), one_line=True)
            pieces.clear()
            if text:
                lines.append(indent + (marker if first else " " * len(marker)) + text)
                first = False

        for child in li:
            tag = _tag(child)
            if tag is not None:
                self._tick()
                if self._skip(child, tag) or _is_notes(child):
                    pass
                elif depth > MAX_WALK_DEPTH:
                    pieces.append(" " + child.text_content() + " ")
                elif tag in LISTS:
                    flush_item()
                    self._list(child, level + 1, lines, depth + 1)
                elif tag in ("pre", "table"):  # code or a table inside an item: its own block
                    flush_item()
                    self._emit_list(lines)
                    self._node(child, depth + 1)
                else:
                    self._inline_node(child, depth + 1, pieces)
            if child.tail:
                pieces.append(child.tail)
        flush_item()

    def _table(self, el, depth: int) -> None:
        nested = next(el.iterdescendants("table", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"), None)
        rows = _own_rows(el)
        if nested is not None:  # a layout table: read it cell by cell
            for row in rows or [el]:
                for cell in row:
                    tag = _tag(cell)
                    if tag in ("td", "th"):
                        self._tick()
                        self._children(cell, depth + 2)
                        self._flush()
            return
        caption = el.find("caption")
        if caption is not None:
            self._emit(self.inline_text(caption, depth + 1, one_line=True), "text")
        lines = []
        for row in rows:
            self._tick()
            cells = [self.inline_text(c, depth + 2, one_line=True) for c in row if _tag(c) in ("td", "th")]
            while cells and not cells[-1]:
                cells.pop()
            if any(cells):
                lines.append(" | ".join(cells))
        if lines:
            self._emit("\n".join(lines), "table")


# ------------------------------------------------------------------------------------- markdown slides
def _md_inline_to_html(text: str) -> str:
    """Markdown inline markup -> an HTML fragment (code spans verbatim, unknown ``<tags>`` kept as text)."""

    def markup(s: str) -> str:
        s = _MD_ESCAPE.sub(lambda m: f"&#{ord(m.group(1))};", s)
        s = _MD_IMAGE.sub(lambda m: m.group(1), s)
        s = _MD_LINK.sub(lambda m: m.group(1), s)
        s = _MD_AUTOLINK.sub(lambda m: std_html.escape(m.group(1)), s)
        for pattern in _MD_EMPHASIS:
            s = pattern.sub(lambda m: m.group(1), s)
        return _HTML_TAG_START.sub("&lt;", s)

    out: list[str] = []
    pos = 0
    for m in _CODE_SPAN.finditer(text):
        out.append(markup(text[pos : m.start()]))
        out.append(std_html.escape(m.group(2), quote=False))
        pos = m.end()
    out.append(markup(text[pos:]))
    return "".join(out)


def _dedent_template(text: str) -> str:
    """reveal.js strips the first line's indentation from every line so it is not read as code."""
    text = text.replace("\r\n", "\n").replace("__SCRIPT_END__", "</script>")
    first = next((line for line in text.split("\n") if line.strip()), "")
    prefix = first[: len(first) - len(first.lstrip(" \t"))]
    if not prefix:
        return text
    return "\n".join(line[len(prefix) :] if line.startswith(prefix) else line for line in text.split("\n"))


def _compile_separator(pattern: str | None, default: str | None, flags: int) -> re.Pattern | None:
    for candidate in (pattern, default):
        if candidate and len(candidate) <= MAX_SEPARATOR_CHARS:
            try:
                return re.compile(candidate, flags)
            except re.error:
                continue
    return None


@dataclass
class _MarkdownSlide:
    converter_notebook: bool
    deadline: Deadline | None
    notes: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)

    def render(self, block: Block) -> list[Block]:
        """``parse_markdown`` hook: resolve inline Markdown and HTML of one non-code block."""
        if block.kind == "heading":
            text = self._inline(_md_inline_to_html(block.text), one_line=True)
            return [Block(text, "heading")] if text else []
        if block.kind in ("list", "table"):
            lines = []
            for line in block.text.split("\n"):
                indent = ""
                if block.kind == "list":
                    m = _MD_BULLET.match(line)
                    if m:
                        indent, line = m.group(1) + "- ", line[m.end() :]
                    else:
                        indent = line[: len(line) - len(line.lstrip())]
                text = self._inline(_md_inline_to_html(line), one_line=True)
                if text:
                    lines.append(indent + text)
            return [Block("\n".join(lines), block.kind)] if lines else []
        lines = block.text.split("\n")
        if all(line.startswith(("    ", "\t")) for line in lines if line.strip()):  # an indented code block
            return [Block(textwrap.dedent(block.text).strip("\n"), "text")]
        fragment = _md_inline_to_html(block.text)
        if _BLOCK_HTML.search(fragment):  # raw HTML block (a table, <pre><code>, …) inside Markdown
            root = _parse_fragment(fragment)
            if root is None:
                return []
            conv = _Converter(notebook=self.converter_notebook, deadline=self.deadline).convert_children(root)
            self.notes.extend(conv.notes())
            self.images.extend(conv.images())
            return conv.blocks()
        lines = [self._inline(line, one_line=True) for line in fragment.split("\n")]
        text = "\n".join(line for line in lines if line)
        return [Block(text, "text")] if text else []

    def _inline(self, fragment: str, one_line: bool) -> str:
        if "<" not in fragment and "&" not in fragment:
            return _collapse(fragment, one_line=one_line)
        root = _parse_fragment(fragment)
        if root is None:
            return ""
        conv = _Converter(notebook=self.converter_notebook, deadline=self.deadline)
        text = conv.inline_text(root, one_line=one_line)
        self.images.extend(conv.images())
        return text


def _fragment_text(fragment: str) -> str:
    root = _parse_fragment(fragment) if ("<" in fragment or "&" in fragment) else None
    if root is None:
        return fragment.strip()
    return "\n\n".join(b.text for b in _Converter().convert_children(root).blocks())


def _section_notes(section, deadline: Deadline | None) -> list[str]:
    """``data-notes`` and ``<aside class="notes">`` children of a Markdown section (outside its template)."""
    notes = [section.get("data-notes") or ""]
    for child in section:
        if _is_notes(child):
            notes.append("\n\n".join(b.text for b in _Converter(deadline=deadline).convert_children(child).blocks()))
    return [n for n in notes if n.strip()]


def _markdown_template(section) -> str:
    for el in section.iter("script", "textarea"):
        if el.get("data-template") is not None or _tag(el) == "script":
            return el.text or ""
    return section.text_content()


def _markdown_slides(section, deadline: Deadline | None) -> list[tuple[list[Block], str, list[str]]]:
    """One reveal.js ``data-markdown`` section -> [(blocks, notes, data-image sources)] per slide."""
    text = _dedent_template(_markdown_template(section))
    chunks = [text]
    sep_attr, vsep_attr = section.get("data-separator"), section.get("data-separator-vertical")
    notes_attr = section.get("data-separator-notes")
    if sep_attr is not None or vsep_attr is not None or notes_attr is not None:  # reveal.js slidify()
        horizontal = _compile_separator(sep_attr, DEFAULT_SLIDE_SEPARATOR, re.M)
        vertical = _compile_separator(vsep_attr, None, re.M) if vsep_attr else None
        splitters = [p for p in (horizontal, vertical) if p is not None]
        if splitters:
            combined = re.compile("|".join(f"(?:{p.pattern})" for p in splitters), re.M)
            chunks, pos = [], 0
            for m in combined.finditer(text):
                if m.end() > m.start():
                    chunks.append(text[pos : m.start()])
                    pos = m.end()
            chunks.append(text[pos:])
    notes_sep = _compile_separator(notes_attr, DEFAULT_NOTES_SEPARATOR, re.M | re.I)
    slides = []
    for chunk in chunks:
        if not chunk.strip():
            continue
        if deadline is not None:
            deadline.check()
        spoken = ""
        if notes_sep is not None:
            matches = list(notes_sep.finditer(chunk))
            if len(matches) == 1:  # as reveal.js: exactly one "Note:" splits slide and speaker notes
                chunk, spoken = chunk[: matches[0].start()], chunk[matches[0].end() :]
        asides = [m.group(1) for m in _MD_ASIDE_NOTES.finditer(chunk)]
        chunk = _MD_ASIDE_NOTES.sub("", chunk)
        slide = _MarkdownSlide(converter_notebook=False, deadline=deadline)
        pages = parse_markdown(chunk, split_pages=False, render=slide.render)
        blocks = pages[0].blocks if pages else []
        all_notes = [pages[0].notes] if pages else []  # ::: notes divs
        if spoken.strip():
            all_notes += [p.text for p in parse_markdown(spoken, split_pages=False, render=slide.render)]
        all_notes += [_fragment_text(a) for a in asides] + slide.notes
        all_notes = [n for n in all_notes if n.strip()]
        slides.append((blocks, "\n\n".join(all_notes), slide.images))
    return slides


# ------------------------------------------------------------------------------------------ layouts
def _slides_container(root):
    containers = [el for el in root.iter("div", "main", "article", "section", "body") if "slides" in _classes(el)]
    containers = [c for c in containers if c.find("section") is not None]
    if containers:
        inside_reveal = [c for c in containers if any("reveal" in _classes(a) for a in c.iterancestors())]
        return (inside_reveal or containers)[0]
    for el in root.iter("div", "main", "article", "body"):
        if "reveal" in _classes(el) and el.find(".//section") is not None:
            return next((s.getparent() for s in el.iter("section")), None)
    return None


def _leaf_sections(container) -> list:
    leaves = []
    for top in container.iterchildren("section"):
        if (top.get("data-visibility") or "").lower() == "hidden":
            continue
        stack = [s for s in top.iterchildren("section") if (s.get("data-visibility") or "").lower() != "hidden"]
        leaves.extend(stack if stack else [top])
    return leaves


def _is_notebook(root) -> bool:
    for el in root.iter("div", "body", "main"):
        classes = _classes(el)
        if "jp-Cell" in classes or "jp-Notebook" in classes:
            return True
        if "cell" in classes and classes & {"code_cell", "text_cell", "border-box-sizing"}:
            return True
    return False


def _check_page_count(n: int, limits: Limits) -> None:
    if n > limits.max_pages:
        raise IngestError("too_many_pages", f"This web page has more than {limits.max_pages} pages; that is the limit.")


def _split_long_block(block: Block, max_words: int) -> list[Block]:
    words = block.text.split()
    if len(words) <= max_words:
        return [block]
    pieces: list[Block] = []
    cur: list[str] = []
    count = 0
    for line in block.text.split("\n"):
        n = len(line.split())
        if n > max_words:  # one enormous line: cut by words
            if cur:
                pieces.append(Block("\n".join(cur), block.kind))
                cur, count = [], 0
            line_words = line.split()
            for k in range(0, len(line_words), max_words):
                pieces.append(Block(" ".join(line_words[k : k + max_words]), block.kind))
            continue
        if cur and count + n > max_words:
            pieces.append(Block("\n".join(cur), block.kind))
            cur, count = [], 0
        cur.append(line)
        count += n
    if cur:
        pieces.append(Block("\n".join(cur), block.kind))
    return pieces


def _paginate(items: list[_Item], limits: Limits) -> list[tuple[list[Block], list[str], list[str]]]:
    pages: list[tuple[list[Block], list[str], list[str]]] = []
    cur: tuple[list[Block], list[str], list[str]] = ([], [], [])
    words = 0

    def close():
        nonlocal cur, words
        if cur[0] or cur[1]:
            pages.append(cur)
            _check_page_count(len(pages), limits)
        cur, words = ([], [], []), 0

    for item in items:
        if item.note:
            cur[1].append(item.note)
        elif item.image:
            cur[2].append(item.image)
        elif item.block is not None:
            if item.page_break and any(b.kind != "heading" for b in cur[0]):
                close()
            for piece in _split_long_block(item.block, MAX_WORDS_PER_PAGE):
                n = len(piece.text.split())
                if words + n > MAX_WORDS_PER_PAGE and any(b.kind != "heading" for b in cur[0]):
                    close()  # (a heading stays with the text that follows it)
                cur[0].append(piece)
                words += n
    close()
    return pages


def _data_image(src: str) -> bytes | None:
    head, _, payload = src.partition(",")
    if ";base64" not in head.lower() or not payload:
        return None
    try:
        return base64.b64decode(re.sub(r"\s+", "", payload), validate=False)
    except (binascii.Error, ValueError):
        return None


# ------------------------------------------------------------------------------------------ entry
def extract_html(
    path,
    limits: Limits | None = None,
    *,
    reporter_cb: Callable[[int, int, str], None] | None = None,
    deadline: Deadline | None = None,
) -> list[Page]:
    """Pages of an HTML file (see the module docstring). Raises IngestError (too_many_pages beyond
    ``limits.max_pages``, too_much_memory for oversized or tag-bomb files, no_text, timeout)."""
    limits = limits or Limits()
    deadline = deadline or Deadline(limits.total_timeout_s)
    root = _parse_document(_read(Path(path)))
    deadline.check()

    raw_pages: list[tuple[list[Block], list[str], list[str]]] = []
    container = _slides_container(root)
    is_deck = container is not None
    if is_deck:
        leaves = _leaf_sections(container)
        _check_page_count(len(leaves), limits)
        reporter = ProgressReporter(len(leaves), reporter_cb)
        for i, section in enumerate(leaves, start=1):
            deadline.check()
            if section.get("data-markdown") is not None:
                if (section.get("data-markdown") or "").strip() and _markdown_template(section).strip() == "":
                    log.info("slide %d loads external Markdown (%s); not fetched", i, section.get("data-markdown"))
                    continue
                extra = _section_notes(section, deadline)
                for k, (blocks, notes, images) in enumerate(_markdown_slides(section, deadline)):
                    raw_pages.append((blocks, [notes, *(extra if k == 0 else [])], images))
                    _check_page_count(len(raw_pages), limits)
            else:
                conv = _Converter(deadline=deadline).convert_children(section)
                notes = conv.notes() + ([section.get("data-notes")] if section.get("data-notes") else [])
                raw_pages.append((conv.blocks(), notes, conv.images()))
            reporter.step(f"Reading slide {i} of {len(leaves)}", finished_page=True)
    else:
        notebook = _is_notebook(root)
        body = root.find("body")
        conv = _Converter(notebook=notebook, deadline=deadline).convert_children(body if body is not None else root)
        items = conv.items
        title = root.findtext(".//title")
        if title and title.strip() and not any(i.block and i.page_break for i in items):
            items.insert(0, _Item(block=Block(_collapse(title, one_line=True), "heading")))
        raw_pages = _paginate(items, limits)
        if reporter_cb:
            reporter_cb(len(raw_pages), len(raw_pages), "Reading the web page")

    figures = FigureCollector()
    cache: dict = {}
    pages: list[Page] = []
    for number, (blocks, notes, images) in enumerate(raw_pages, start=1):
        note = "\n\n".join(n.strip() for n in notes if n and n.strip())
        pages.append(Page(number=number, blocks=blocks, method="native", notes=note))
        for src in images:
            blob = _data_image(src)
            if blob:
                _picture_to_collector(figures, number, blob, limits, cache)
    figures.assign(pages)
    if is_deck:  # slide-shaped cards; extract() gives the remaining pages document-shaped ones
        for page in pages:
            page.thumbnail = render_text_thumbnail(page, "slide")
    return pages
