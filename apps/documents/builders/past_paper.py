"""Past-paper answers as DOCX (python-docx) or PDF (reportlab): each exam question, its answer and its sources."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor
from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from smartnotes.generation.types import ExamAnswer, PastPaperAnswers

from .common import (
    NOT_COVERED,
    OFFLINE_NOTE,
    format_date,
    format_sources,
    inline_spans,
    one_line,
    parse_blocks,
    pdf_escape,
    pdf_flowables,
    pdf_fonts,
    pdf_footer,
    pdf_styles,
    question_heading,
    question_text,
    set_fonts,
)

FONT = "Arial"
MONO = "Courier New"
GREY = RGBColor(0x59, 0x59, 0x59)
ACCENT = RGBColor(0x1F, 0x38, 0x64)
MISSING = RGBColor(0xA0, 0x1C, 0x1C)


def _covered(answer: ExamAnswer) -> bool:
    return answer.covered and bool(one_line(answer.answer))


def _meta(answers: PastPaperAnswers) -> str:
    count = len(answers.answers)
    return (
        f"Answers from your notes · {count} question{'s' if count != 1 else ''} · {format_date(answers.generated_on)}"
    )


# --- DOCX ----------------------------------------------------------------------------------------------


def _style(doc, name: str, *, size: float, font=FONT, bold=None, italic=None, colour=None, before=0.0, after=4.0):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    set_fonts(style.font, font)
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = italic
    if colour is not None:
        style.font.color.rgb = colour
    style.paragraph_format.space_before = Pt(before)
    style.paragraph_format.space_after = Pt(after)
    return style


def _docx_setup(doc) -> None:
    section = doc.sections[0]
    section.top_margin = section.bottom_margin = Inches(0.8)
    section.left_margin = section.right_margin = Inches(0.9)
    normal = doc.styles["Normal"]
    set_fonts(normal.font, FONT)
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.1

    _style(doc, "Paper Title", size=16, bold=True, colour=ACCENT, after=2)
    _style(doc, "Paper Meta", size=8.5, colour=GREY, after=1)
    _style(doc, "Paper Question", size=11.5, bold=True, colour=ACCENT, before=14, after=3)
    _style(doc, "Paper Prompt", size=10.5, colour=RGBColor(0x33, 0x33, 0x33))
    _style(doc, "Paper Answer Label", size=8.5, bold=True, colour=ACCENT, before=3, after=1)
    for name in ("Paper Question", "Paper Prompt", "Paper Answer Label"):
        doc.styles[name].paragraph_format.keep_with_next = True
    item = _style(doc, "Paper Item", size=10.5, after=2)
    item.paragraph_format.left_indent = Inches(0.25)
    item.paragraph_format.first_line_indent = -Inches(0.17)
    item.paragraph_format.tab_stops.add_tab_stop(Inches(0.25))
    code = _style(doc, "Paper Code", size=9, font=MONO, after=6)
    code.paragraph_format.left_indent = Inches(0.15)
    code.paragraph_format.line_spacing = 1.0
    code.paragraph_format.keep_together = True
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), "F2F2F2")
    ppr = code.element.get_or_add_pPr()
    ppr.insert_element_before(shading, "w:tabs", "w:spacing", "w:ind", "w:jc", "w:outlineLvl", "w:rPr")
    _style(doc, "Paper Sources", size=8.5, italic=True, colour=GREY, after=2)
    _style(doc, "Paper Missing", size=10.5, bold=True, colour=MISSING)


def _docx_inline(paragraph, text: str) -> None:
    for piece, kind in inline_spans(text):
        run = paragraph.add_run(piece)
        if kind == "bold":
            run.bold = True
        elif kind == "code":
            set_fonts(run.font, MONO)


def _docx_text(doc, text: str, style: str, *, keep_with_next: bool = False) -> None:
    for block in parse_blocks(text):
        if block.kind == "code":
            paragraph = doc.add_paragraph(style="Paper Code")
            paragraph.add_run("\n".join(block.lines))
        elif block.kind == "item":
            paragraph = doc.add_paragraph(style="Paper Item")
            paragraph.add_run(f"{block.marker}\t")
            _docx_inline(paragraph, block.text)
        else:
            paragraph = doc.add_paragraph(style=style)
            _docx_inline(paragraph, block.text)
        if keep_with_next:
            paragraph.paragraph_format.keep_with_next = True


def build_past_paper_docx(answers: PastPaperAnswers, out_path) -> Path:
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = Document()
    _docx_setup(doc)
    title = one_line(answers.title) or "Past paper"
    doc.add_paragraph(title, style="Paper Title")
    doc.add_paragraph(_meta(answers), style="Paper Meta")
    if answers.made_offline:
        doc.add_paragraph(OFFLINE_NOTE, style="Paper Meta").runs[0].italic = True

    for answer in answers.answers:
        doc.add_paragraph(question_heading(answer.question), style="Paper Question")
        _docx_text(doc, question_text(answer.question), "Paper Prompt", keep_with_next=True)
        doc.add_paragraph("Answer", style="Paper Answer Label")
        if not _covered(answer):
            doc.add_paragraph(NOT_COVERED, style="Paper Missing")
        _docx_text(doc, answer.answer, "Normal")
        if sources := format_sources(answer.citations):
            doc.add_paragraph(sources, style="Paper Sources")

    props = doc.core_properties
    props.title = title
    props.subject = "Past paper answers"
    props.author = props.last_modified_by = "MySmartNotes"
    props.comments = "Past-paper answers generated by MySmartNotes"
    props.keywords = "past paper"
    props.created = props.modified = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    props.revision = 1
    doc.save(out)
    return out


# --- PDF -----------------------------------------------------------------------------------------------


def build_past_paper_pdf(answers: PastPaperAnswers, out_path) -> Path:
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fonts = pdf_fonts()
    styles = pdf_styles(fonts)
    styles["heading"].keepWithNext = True
    prompt = {**styles, "body": ParagraphStyle("prompt", styles["body"], textColor=colors.HexColor("#333333"))}
    label = ParagraphStyle(
        "label", styles["small"], fontName=fonts.bold, textColor=colors.HexColor("#1F3864"), spaceBefore=3
    )
    missing = ParagraphStyle("missing", styles["body"], fontName=fonts.bold, textColor=colors.HexColor("#A01C1C"))

    doc = SimpleDocTemplate(
        str(out),
        pagesize=letter,
        leftMargin=0.9 * inch,
        rightMargin=0.9 * inch,
        topMargin=0.8 * inch,
        bottomMargin=0.8 * inch,
        title=one_line(answers.title) or "Past paper",
        author="MySmartNotes",
        subject="Past paper answers",
    )
    story = [
        Paragraph(pdf_escape(one_line(answers.title)) or "Past paper", styles["title"]),
        Paragraph(pdf_escape(_meta(answers)), styles["meta"]),
    ]
    if answers.made_offline:
        story.append(Paragraph(OFFLINE_NOTE, styles["note"]))
    for answer in answers.answers:
        # The heading, the question and the start of its answer stay on one page.
        head = [
            Paragraph(pdf_escape(question_heading(answer.question)), styles["heading"]),
            *pdf_flowables(question_text(answer.question), prompt, fonts, doc.width),
            Paragraph("Answer", label),
        ]
        body = [] if _covered(answer) else [Paragraph(NOT_COVERED, missing)]
        body += pdf_flowables(answer.answer, styles, fonts, doc.width)
        story.append(KeepTogether(head + body[:1]))
        story += body[1:]
        if sources := format_sources(answer.citations):
            story.append(Paragraph(pdf_escape(sources), styles["small"]))
        story.append(Spacer(1, 4))

    footer = pdf_footer(answers.title or "Past paper", fonts)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out
