"""Text helpers shared by the document builders: cleaning, page references, light-Markdown blocks, code lines."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from docx.oxml.ns import qn
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Flowable, Paragraph, XPreformatted

from smartnotes.generation.types import Citation, ExamQuestion

OFFLINE_NOTE = "Made without an AI model, from the sentences, definitions and key terms of your notes."
NOT_COVERED = "Your notes do not cover this question."

# Characters XML 1.0 forbids (python-docx refuses them, reportlab chokes on them) and lone surrogates.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_LIST_ITEM = re.compile(r"^\s*([-*•]|\d{1,3}[.)])\s+(.*)$")
_STATEMENT_OPENER = re.compile(
    r"^\s*(def|class|if|elif|else|for|while|try|except|finally|with|switch|case|default|public|private|protected)"
    r"\b.*:$"
)
_CALL_LINE = re.compile(r"^[A-Za-z_][\w.:]*\(.*\)$")
_CODE_CHARS = set("()=[]<>+-*/#&|")
_INLINE = re.compile(r"(`[^`\n]+`|\*\*[^*\n]+\*\*)")
_POINTS_PREFIX = re.compile(r"^\s*\[\s*\d+\s*points?\s*\]\s*", re.IGNORECASE)


def clean_text(text: str | None) -> str:
    """Text safe for DOCX and PDF: no XML-invalid control characters, Unix newlines."""
    if not text:
        return ""
    return _XML_INVALID.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))


def one_line(text: str | None) -> str:
    return " ".join(clean_text(text).split())


def format_pages(pages: Iterable[int]) -> str:
    """[7] -> "p. 7"; [3, 5] -> "pp. 3, 5"; [3, 4, 5] -> "pp. 3–5"; [1, 3, 4, 5, 9] -> "pp. 1, 3–5, 9"."""
    numbers = sorted({int(p) for p in pages if p is not None and int(p) > 0})
    if not numbers:
        return ""
    if len(numbers) == 1:
        return f"p. {numbers[0]}"
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{run[0]}–{run[-1]}")
        else:
            parts.extend(str(n) for n in run)
    return "pp. " + ", ".join(parts)


def format_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def format_sources(citations: Iterable[Citation]) -> str:
    """The sources line, e.g. "Sources: Lecture A p. 3, p. 7; Lecture B p. 2" ("" without citations).

    Lectures keep their first-cited order; pages are sorted.
    """
    by_lecture: dict[str, set[int]] = {}
    for c in citations:
        by_lecture.setdefault(one_line(c.lecture_name), set()).add(c.page)
    parts = []
    for name, pages in by_lecture.items():
        refs = ", ".join(f"p. {n}" for n in sorted(pages))
        parts.append(f"{name} {refs}" if name else refs)
    return "Sources: " + "; ".join(parts) if parts else ""


def question_heading(question: ExamQuestion) -> str:
    """E.g. "Question 3(a) [4 points]"; labels that are not plain numbers ("Q4") are kept as printed."""
    label = one_line(question.label)
    heading = f"Question {label}" if not label or label[0].isdigit() else label
    heading = heading.strip()
    if question.points:
        heading += f" [{question.points} point{'s' if question.points != 1 else ''}]"
    return heading


def question_text(question: ExamQuestion) -> str:
    """The question's text without a leading "[N points]" that the heading already shows."""
    text = clean_text(question.text)
    return _POINTS_PREFIX.sub("", text, count=1) if question.points else text


# --- code detection ------------------------------------------------------------------------------------


def _indented(line: str) -> bool:
    return line.startswith(("\t", "    "))


def looks_like_code(line: str) -> bool:
    """A line to set in monospace: indented by a tab/4 spaces, braces, a statement ending in ";" or ":".

    A bare ";" inside prose ("fast; but costly") does not count, only one that ends the line or is glued to
    code ("for(i=0;i<n;i++)").
    """
    stripped = line.strip()
    if not stripped:
        return False
    if _indented(line) and not _LIST_ITEM.match(line):
        return True
    if "{" in stripped or "}" in stripped:
        return True
    if stripped.endswith(";") or re.search(r";[^\s.,;)]", stripped):
        return True
    return bool(_STATEMENT_OPENER.match(stripped) or _CALL_LINE.match(stripped))


def _continues_code(line: str) -> bool:
    """A line right after code, e.g. "print(x)" or "return a + b", that is not an English sentence."""
    stripped = line.strip()
    if not stripped or _LIST_ITEM.match(line):
        return False
    words = [t for t in stripped.split() if t.strip(",.;:?!\"'“”").isalpha()]
    if len(words) >= 4 or stripped.endswith("?") or (stripped.endswith(".") and stripped[0].isupper()):
        return False
    return bool(_CODE_CHARS & set(stripped)) or len(stripped.split()) == 1


# --- light Markdown blocks -----------------------------------------------------------------------------


@dataclass
class Block:
    kind: str  # para | item | code
    text: str = ""  # para / item text, soft line breaks joined
    marker: str = ""  # item bullet: "•" or "1."
    lines: list[str] = field(default_factory=list)  # code lines, line breaks and indentation kept


def parse_blocks(text: str | None) -> list[Block]:
    """Split text into paragraphs, list items and code blocks (``` fences or lines that look like code)."""
    lines = [line.expandtabs(4).rstrip() for line in clean_text(text).split("\n")]
    blocks: list[Block] = []
    fenced = False

    def last(kind: str) -> Block | None:
        return blocks[-1] if blocks and blocks[-1].kind == kind else None

    previous_blank = True
    for i, line in enumerate(lines):
        if line.strip().startswith("```"):
            fenced = not fenced
            if fenced:
                blocks.append(Block("code"))
            previous_blank = True
            continue
        if fenced:
            blocks[-1].lines.append(line)
            continue
        if not line.strip():
            code = last("code")
            upcoming = next((nxt for nxt in lines[i + 1 :] if nxt.strip()), "")
            if code and code.lines and looks_like_code(upcoming):
                code.lines.append("")
            previous_blank = True
            continue
        code = last("code")
        if looks_like_code(line) or (code and not previous_blank and code.lines and _continues_code(line)):
            if code is None:
                code = Block("code")
                blocks.append(code)
            code.lines.append(line)
        elif item := _LIST_ITEM.match(line):
            marker = item.group(1)
            blocks.append(Block("item", item.group(2).strip(), "•" if marker in "-*•" else marker))
        elif not previous_blank and (open_block := last("para") or last("item")):
            open_block.text += " " + line.strip()
        else:
            blocks.append(Block("para", line.strip()))
        previous_blank = False
    for block in blocks:
        while block.kind == "code" and block.lines and not block.lines[-1]:
            block.lines.pop()
    return [b for b in blocks if b.text or b.lines]


def inline_spans(text: str) -> list[tuple[str, str]]:
    """Light inline Markdown: [(text, "" | "bold" | "code"), ...] for **bold** and `code`."""
    spans: list[tuple[str, str]] = []
    for piece in _INLINE.split(text):
        if not piece:
            continue
        if piece.startswith("**") and piece.endswith("**") and len(piece) > 4:
            spans.append((piece[2:-2], "bold"))
        elif piece.startswith("`") and piece.endswith("`") and len(piece) > 2:
            spans.append((piece[1:-1], "code"))
        else:
            spans.append((piece, ""))
    return spans


def wrap_code_line(line: str, width: int) -> list[str]:
    """Hard-wrap one code line at `width` characters, continuation lines indented like the original."""
    if len(line) <= width:
        return [line]
    indent = line[: len(line) - len(line.lstrip())]
    if len(indent) > width // 2:
        indent = ""
    step = max(width - len(indent) - 2, 10)
    out = [line[:width]]
    rest = line[width:]
    while rest:
        out.append(indent + "  " + rest[:step])
        rest = rest[step:]
    return out


# --- python-docx ---------------------------------------------------------------------------------------


def set_fonts(font, name: str) -> None:
    """Set a python-docx font for every script (font.name alone leaves east-asian text in the theme font)."""
    font.name = name
    rpr = font.element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    for script in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn(f"w:{script}"), name)
        rfonts.attrib.pop(qn(f"w:{script}Theme"), None)


# --- reportlab -----------------------------------------------------------------------------------------

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
_DEJAVU = {
    "DejaVuSans": "DejaVuSans.ttf",
    "DejaVuSans-Bold": "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique": "DejaVuSans-Oblique.ttf",
    "DejaVuSans-BoldOblique": "DejaVuSans-BoldOblique.ttf",
    "DejaVuSansMono": "DejaVuSansMono.ttf",
    "DejaVuSansMono-Bold": "DejaVuSansMono-Bold.ttf",
}


@dataclass(frozen=True)
class PdfFonts:
    regular: str
    bold: str
    italic: str
    mono: str


GREY = colors.HexColor("#555555")
CODE_BACKGROUND = colors.HexColor("#F2F2F2")
HELVETICA = PdfFonts("Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Courier")


@functools.cache
def pdf_fonts(font_dir: str = FONT_DIR) -> PdfFonts:
    """DejaVu (renders most of Unicode) registered once, else the built-in Helvetica/Courier."""
    try:
        for name, filename in _DEJAVU.items():
            pdfmetrics.registerFont(TTFont(name, str(Path(font_dir) / filename)))
    except (OSError, TTFError):
        return HELVETICA
    pdfmetrics.registerFontFamily(
        "DejaVuSans",
        normal="DejaVuSans",
        bold="DejaVuSans-Bold",
        italic="DejaVuSans-Oblique",
        boldItalic="DejaVuSans-BoldOblique",
    )
    pdfmetrics.registerFontFamily(
        "DejaVuSansMono",
        normal="DejaVuSansMono",
        bold="DejaVuSansMono-Bold",
        italic="DejaVuSansMono",
        boldItalic="DejaVuSansMono-Bold",
    )
    return PdfFonts("DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSansMono")


def pdf_styles(fonts: PdfFonts, size: float = 10.5) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "body", fontName=fonts.regular, fontSize=size, leading=size * 1.3, spaceAfter=3, bulletFontSize=size
    )
    return {
        "title": ParagraphStyle("title", base, fontName=fonts.bold, fontSize=18, leading=22, spaceAfter=4),
        "meta": ParagraphStyle("meta", base, fontSize=9, leading=12, textColor=GREY, spaceAfter=1),
        "note": ParagraphStyle("note", base, fontName=fonts.italic, fontSize=9, leading=12, textColor=GREY),
        "heading": ParagraphStyle(
            "heading", base, fontName=fonts.bold, fontSize=size + 1.5, leading=(size + 1.5) * 1.3, spaceBefore=8
        ),
        "body": base,
        "item": ParagraphStyle("item", base, leftIndent=14, bulletIndent=2, bulletFontName=fonts.regular),
        "code": ParagraphStyle(
            "code",
            base,
            fontName=fonts.mono,
            fontSize=size - 1.5,
            leading=(size - 1.5) * 1.3,
            leftIndent=8,
            backColor=CODE_BACKGROUND,
            borderPadding=(3, 4, 3, 4),
            spaceBefore=4,
            spaceAfter=6,
        ),
        "small": ParagraphStyle("small", base, fontSize=9, leading=11.5, textColor=GREY),
    }


def pdf_escape(text: str) -> str:
    return xml_escape(clean_text(text))


def pdf_markup(text: str, fonts: PdfFonts) -> str:
    """Paragraph markup for user text: everything escaped, **bold** and `code` honoured."""
    out = []
    for piece, kind in inline_spans(clean_text(text)):
        escaped = xml_escape(piece)
        if kind == "bold":
            escaped = f"<b>{escaped}</b>"
        elif kind == "code":
            escaped = f'<font name="{fonts.mono}">{escaped}</font>'
        out.append(escaped)
    return "".join(out)


def pdf_flowables(
    text: str, styles: dict[str, ParagraphStyle], fonts: PdfFonts, width: float, *, indent: float = 0, bullet: str = ""
) -> list[Flowable]:
    """Paragraphs, list items and monospace code blocks (line breaks kept, long lines wrapped) for `text`.

    `indent` shifts everything right; `bullet` (e.g. "3.") hangs in that indent beside the first paragraph.
    """
    body, item, code = (
        ParagraphStyle(f"{name}+{indent}", styles[name], leftIndent=styles[name].leftIndent + indent)
        for name in ("body", "item", "code")
    )
    item.bulletIndent += indent
    body.bulletFontName = fonts.bold
    chars = max(int((width - code.leftIndent - 8) / (code.fontSize * 0.61)), 20)
    flowables: list[Flowable] = []
    for block in parse_blocks(text):
        if block.kind == "code":
            lines = [part for line in block.lines for part in wrap_code_line(line, chars)]
            flowables.append(XPreformatted(xml_escape("\n".join(lines)), code))
        elif block.kind == "item":
            flowables.append(Paragraph(pdf_markup(block.text, fonts), item, bulletText=block.marker))
        else:
            lead = bullet if not flowables else None
            flowables.append(Paragraph(pdf_markup(block.text, fonts), body, bulletText=lead))
    if bullet and (not flowables or flowables[0].bulletText != bullet):
        flowables.insert(0, Paragraph("", body, bulletText=bullet))
    return flowables


def pdf_footer(label: str, fonts: PdfFonts):
    """An onPage callback writing "label · page N" at the bottom centre."""
    label = one_line(label)
    label = label if len(label) <= 70 else label[:69] + "…"

    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(fonts.regular, 8)
        canvas.setFillColor(GREY)
        canvas.drawCentredString(doc.pagesize[0] / 2, 0.45 * inch, f"{label} · page {doc.page}")
        canvas.restoreState()

    return draw
