"""Cheat sheet DOCX (python-docx): two dense columns of bulleted points with page references and figures."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor
from PIL import Image

from smartnotes.generation.types import CheatSheet, FigureRef, Point

from .common import OFFLINE_NOTE, format_date, format_pages, one_line, set_fonts

FONT = "Arial"
BODY_PT = 9
HEADING_PT = 11
MARGIN = Inches(0.5)
COLUMN_GAP_TWIPS = 288  # 0.2"
FIGURE_WIDTH = Inches(3.2)
MAX_FIGURE_HEIGHT = Inches(4.5)  # a very tall figure is narrowed rather than filling a whole column
GREY = RGBColor(0x59, 0x59, 0x59)
HEADING_COLOUR = RGBColor(0x1F, 0x38, 0x64)
POINT_INDENT = Inches(0.13)
# python-docx embeds these as they are; anything else Pillow can read is re-encoded as PNG.
_DOCX_IMAGE_FORMATS = {"PNG", "JPEG", "GIF", "BMP"}


def _paragraph_style(doc, name: str, *, size: float, bold=False, italic=False, colour=None):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    set_fonts(style.font, FONT)
    style.font.size = Pt(size)
    style.font.bold = bold or None
    style.font.italic = italic or None
    if colour is not None:
        style.font.color.rgb = colour
    fmt = style.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    return style


def _setup(doc) -> None:
    section = doc.sections[0]
    section.top_margin = section.bottom_margin = section.left_margin = section.right_margin = MARGIN
    section.header_distance = section.footer_distance = Inches(0.3)
    sect_pr = section._sectPr
    cols = sect_pr.find(qn("w:cols"))
    if cols is None:
        cols = OxmlElement("w:cols")
        sect_pr.append(cols)
    cols.set(qn("w:num"), "2")
    cols.set(qn("w:space"), str(COLUMN_GAP_TWIPS))

    normal = doc.styles["Normal"]
    set_fonts(normal.font, FONT)
    normal.font.size = Pt(BODY_PT)
    fmt = normal.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(1)
    fmt.line_spacing = 1.0

    _paragraph_style(doc, "Cheat Title", size=14, bold=True, colour=HEADING_COLOUR)
    _paragraph_style(doc, "Cheat Meta", size=8, colour=GREY).paragraph_format.space_after = Pt(1)
    heading = _paragraph_style(doc, "Cheat Heading", size=HEADING_PT, bold=True, colour=HEADING_COLOUR)
    heading.paragraph_format.keep_with_next = True
    heading.paragraph_format.space_before = Pt(5)
    heading.paragraph_format.space_after = Pt(1)
    outline = OxmlElement("w:outlineLvl")  # shows the headings in Word's navigation pane
    outline.set(qn("w:val"), "1")
    heading.element.get_or_add_pPr().append(outline)
    point = _paragraph_style(doc, "Cheat Point", size=BODY_PT)
    point.paragraph_format.left_indent = POINT_INDENT
    point.paragraph_format.first_line_indent = -POINT_INDENT
    point.paragraph_format.space_after = Pt(1)
    point.paragraph_format.tab_stops.add_tab_stop(POINT_INDENT)
    figure = _paragraph_style(doc, "Cheat Figure", size=BODY_PT)
    figure.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    figure.paragraph_format.keep_with_next = True
    figure.paragraph_format.space_before = Pt(2)
    caption = _paragraph_style(doc, "Cheat Caption", size=7.5, italic=True, colour=GREY)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.space_after = Pt(3)


def _paragraph(doc, style, text: str = ""):
    """``doc.add_paragraph(text, style=…)`` without its cost: python-docx compares the style with the default
    one by scanning every style in the document, for every paragraph."""
    paragraph = doc.add_paragraph(text)
    paragraph._p.get_or_add_pPr().style = style.style_id
    return paragraph


def _add_point(doc, point: Point, style) -> None:
    text = one_line(point.text)
    paragraph = _paragraph(doc, style)
    paragraph.add_run("•\t")
    # "Term: definition" reads faster with the term in bold.
    term, colon, rest = text.partition(": ")
    if colon and len(term) <= 60 and len(term.split()) <= 6:
        paragraph.add_run(term + ":").bold = True
        paragraph.add_run(" " + rest)
    else:
        paragraph.add_run(text)
    if pages := format_pages(point.pages):
        paragraph.add_run(f" ({pages})").font.color.rgb = GREY


def _load_image(path: str) -> tuple[io.BytesIO, float] | None:
    """(bytes python-docx can embed, height/width ratio), or None when the image can't be decoded."""
    try:
        with Image.open(path) as image:
            image.load()
            ratio = image.height / image.width
            if image.format in _DOCX_IMAGE_FORMATS:
                return io.BytesIO(Path(path).read_bytes()), ratio
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
    except Exception:  # unreadable, truncated, too large, not an image: leave the figure out
        return None
    buffer.seek(0)
    return buffer, ratio


def _add_figure(doc, figure: FigureRef) -> bool:
    loaded = _load_image(figure.path)
    if loaded is None:
        return False
    stream, ratio = loaded
    width = FIGURE_WIDTH if FIGURE_WIDTH * ratio <= MAX_FIGURE_HEIGHT else int(MAX_FIGURE_HEIGHT / ratio)
    paragraph = doc.add_paragraph(style="Cheat Figure")
    try:
        paragraph.add_run().add_picture(stream, width=width)
    except Exception:  # python-docx's own header parser can still disagree with Pillow
        paragraph._element.getparent().remove(paragraph._element)
        return False
    caption = f"Figure, {format_pages([figure.page])}" if figure.page else "Figure"
    if text := one_line(figure.caption):
        caption += f": {text}"
    doc.add_paragraph(caption, style="Cheat Caption")
    return True


def build_cheat_sheet_docx(sheet: CheatSheet, out_path, *, include_figures: bool = True) -> Path:
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = Document()
    _setup(doc)

    title = one_line(sheet.title) or "Cheat sheet"
    doc.add_paragraph(title, style="Cheat Title")
    meta = " · ".join(part for part in (one_line(sheet.subtitle), format_date(sheet.generated_on)) if part)
    doc.add_paragraph(meta, style="Cheat Meta")
    if sheet.made_offline:
        doc.add_paragraph(OFFLINE_NOTE, style="Cheat Meta").runs[0].italic = True

    heading_style, point_style = doc.styles["Cheat Heading"], doc.styles["Cheat Point"]
    for section in sheet.sections:
        if heading := one_line(section.heading):
            _paragraph(doc, heading_style, heading)
        for point in section.points:
            if one_line(point.text):
                _add_point(doc, point, point_style)
        if include_figures:
            for figure in section.figures:
                _add_figure(doc, figure)
    if not any(section.points for section in sheet.sections):
        doc.add_paragraph("Nothing to summarise yet.")

    props = doc.core_properties
    props.title = title
    props.subject = one_line(sheet.subtitle)
    props.author = props.last_modified_by = "MySmartNotes"
    props.comments = "Cheat sheet generated by MySmartNotes"
    props.keywords = "cheat sheet"
    props.created = props.modified = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    props.revision = 1
    doc.save(out)
    return out
