"""Quiz PDF (reportlab): numbered multiple-choice questions, then an optional answer key on its own page."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer

from smartnotes.generation.types import Quiz, QuizQuestion

from .common import (
    OFFLINE_NOTE,
    PdfFonts,
    format_date,
    format_pages,
    looks_like_code,
    one_line,
    pdf_escape,
    pdf_flowables,
    pdf_fonts,
    pdf_footer,
    pdf_markup,
    pdf_styles,
)

MARGIN = 0.75 * inch
QUESTION_INDENT = 20


def _letter(index: int) -> str:
    return chr(ord("A") + index)


def _question(number: int, q: QuizQuestion, styles, fonts: PdfFonts, width: float) -> KeepTogether:
    parts = pdf_flowables(q.question, styles, fonts, width, indent=QUESTION_INDENT, bullet=f"{number}.")
    for i, option in enumerate(q.options):
        text = pdf_markup(one_line(option), fonts) or "&nbsp;"  # an empty option still shows its letter
        if looks_like_code(option):
            text = f'<font name="{fonts.mono}">{text}</font>'
        parts.append(Paragraph(text, styles["option"], bulletText=f"{_letter(i)}."))
    parts.append(Spacer(1, 8))
    return KeepTogether(parts)


def _key_line(q: QuizQuestion, fonts: PdfFonts) -> str:
    letter_ = _letter(q.correct) if 0 <= q.correct < max(len(q.options), 1) else "?"
    text = f"<b>{letter_}</b>"
    explanation = one_line(q.explanation)
    if explanation:
        text += " — " + pdf_markup(explanation, fonts)
    if pages := format_pages([q.page] if q.page else []):
        text += f" ({pages})"
    return text


def build_quiz_pdf(quiz: Quiz, out_path, *, answer_key: bool = True) -> Path:
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fonts = pdf_fonts()
    styles = pdf_styles(fonts)
    styles["option"] = ParagraphStyle(
        "option", styles["body"], leftIndent=2 * QUESTION_INDENT, bulletIndent=QUESTION_INDENT, spaceAfter=1.5
    )
    styles["key"] = ParagraphStyle("key", styles["body"], leftIndent=22, bulletIndent=0, spaceAfter=4)

    doc = SimpleDocTemplate(
        str(out),
        pagesize=letter,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=one_line(quiz.title) or "Quiz",
        author="MySmartNotes",
        subject="Quiz",
    )
    count = len(quiz.questions)
    story = [
        Paragraph(pdf_escape(one_line(quiz.title)) or "Quiz", styles["title"]),
        Paragraph(f"{format_date(quiz.generated_on)} · {count} question{'s' if count != 1 else ''}", styles["meta"]),
    ]
    if quiz.made_offline:
        story.append(Paragraph(OFFLINE_NOTE, styles["note"]))
    story += [
        Spacer(1, 10),
        Paragraph(f"Name: {'_' * 34}&nbsp;&nbsp;&nbsp;&nbsp;Score: ______ / {count}", styles["body"]),
        Spacer(1, 14),
    ]
    story += [_question(n, q, styles, fonts, doc.width) for n, q in enumerate(quiz.questions, start=1)]

    if answer_key and quiz.questions:
        story += [PageBreak(), Paragraph("Answer key", styles["title"]), Spacer(1, 6)]
        story += [
            Paragraph(_key_line(q, fonts), styles["key"], bulletText=f"{n}.")
            for n, q in enumerate(quiz.questions, start=1)
        ]

    footer = pdf_footer(quiz.title or "Quiz", fonts)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out
