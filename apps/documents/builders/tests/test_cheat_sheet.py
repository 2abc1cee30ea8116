import datetime as dt
import re

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Inches, Pt
from PIL import Image, ImageDraw

from apps.documents.builders import build_cheat_sheet_docx
from apps.documents.builders.common import OFFLINE_NOTE
from smartnotes.generation.types import CheatSheet, FigureRef, Point, Section

EMU_3_2_INCHES = 2926080
PAGE_REF = re.compile(r"\((pp?)\. ([0-9, –]+)\)$")


def png(path, size=(400, 250)):
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).rectangle((10, 10, size[0] - 10, size[1] - 10), outline="black", width=3)
    image.save(path)
    return str(path)


def sheet(sections, **kwargs):
    kwargs.setdefault("generated_on", dt.date(2025, 3, 5))
    return CheatSheet("Python Expressions", sections, subtitle="Programming 101", **kwargs)


def pages_in(ref: str) -> list[int]:
    """Pages a "(pp. 1, 3–5)" reference names, ranges expanded."""
    pages = []
    for part in ref.split(", "):
        first, _, last = part.partition("–")
        pages.extend(range(int(first), int(last or first) + 1))
    return pages


@pytest.fixture
def sample(tmp_path):
    figure = png(tmp_path / "fig.png")
    sections = [
        Section(
            "Operators",
            [Point("Floor division: 7 // 2 is 3", [7]), Point("Precedence follows PEMDAS", [3, 5])],
            [FigureRef(4, figure, caption="Precedence table")],
        ),
        Section("Variables", [Point("Assignment binds a name", [3, 4, 5]), Point("Names are case-sensitive", [9])]),
    ]
    path = build_cheat_sheet_docx(sheet(sections), tmp_path / "out" / "sheet.docx")
    return sections, Document(str(path)), path


def test_layout_two_columns_and_half_inch_margins(sample):
    _, doc, _ = sample
    assert len(doc.sections) == 1
    section = doc.sections[0]
    cols = section._sectPr.find(qn("w:cols"))
    assert cols.get(qn("w:num")) == "2"
    assert int(cols.get(qn("w:space"))) <= 360  # a small gap: at most 0.25"
    for margin in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin):
        assert margin == Inches(0.5)


def test_fonts(sample):
    _, doc, _ = sample
    normal = doc.styles["Normal"]
    assert normal.font.name == "Arial"
    assert normal.font.size == Pt(9)
    rfonts = normal.element.rPr.rFonts
    assert rfonts.get(qn("w:eastAsia")) == "Arial"
    assert rfonts.get(qn("w:cs")) == "Arial"

    heading = doc.styles["Cheat Heading"]
    assert heading.font.size == Pt(11)
    assert heading.font.bold is True
    assert heading.font.name == "Arial"
    assert heading.paragraph_format.keep_with_next is True
    headings = [p.text for p in doc.paragraphs if p.style.name == "Cheat Heading"]
    assert headings == ["Operators", "Variables"]


def test_title_subject_date_and_core_properties(sample):
    _, doc, _ = sample
    texts = [p.text for p in doc.paragraphs[:3]]
    assert texts[0] == "Python Expressions"
    assert "Programming 101" in texts[1] and "5 March 2025" in texts[1]
    assert OFFLINE_NOTE not in "\n".join(p.text for p in doc.paragraphs)
    assert doc.core_properties.title == "Python Expressions"
    assert doc.core_properties.author == "MySmartNotes"


def test_offline_note(tmp_path):
    path = build_cheat_sheet_docx(sheet([Section("A", [Point("x", [1])])], made_offline=True), tmp_path / "s.docx")
    assert OFFLINE_NOTE in [p.text for p in Document(str(path)).paragraphs]


def test_every_point_ends_with_its_pages(sample):
    sections, doc, _ = sample
    points = [p.text for p in doc.paragraphs if p.style.name == "Cheat Point"]
    expected = [point for section in sections for point in section.points]
    assert len(points) == len(expected)
    for text, point in zip(points, expected, strict=True):
        match = PAGE_REF.search(text)
        assert match, text
        assert point.text in text
        assert pages_in(match.group(2)) == sorted(point.pages)
        assert match.group(1) == ("p" if len(point.pages) == 1 else "pp")
    assert points[1].endswith("(pp. 3, 5)")
    assert points[2].endswith("(pp. 3–5)")


def test_figure_is_3_2_inches_wide_with_caption_after_its_sections_points(sample):
    _, doc, path = sample
    assert [shape.width for shape in doc.inline_shapes] == [EMU_3_2_INCHES]
    extents = re.findall(r'<wp:extent cx="(\d+)" cy="(\d+)"', doc.element.xml)
    assert extents == [(str(EMU_3_2_INCHES), str(EMU_3_2_INCHES * 250 // 400))]

    body = [(p.style.name, p.text, bool(p._element.findall(".//" + qn("w:drawing")))) for p in doc.paragraphs]
    figure_at = next(i for i, (_, _, drawing) in enumerate(body) if drawing)
    assert body[figure_at - 1][1] == "•\tPrecedence follows PEMDAS (pp. 3, 5)"  # the section's last point
    assert body[figure_at + 1][1] == "Figure, p. 4: Precedence table"
    assert body[figure_at + 2] == ("Cheat Heading", "Variables", False)


def test_unreadable_figures_are_skipped(tmp_path):
    good = png(tmp_path / "good.png")
    garbage = tmp_path / "garbage.png"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\nnot an image at all")
    truncated = tmp_path / "truncated.png"
    png(truncated, (800, 600))
    truncated.write_bytes(truncated.read_bytes()[:300])
    text_file = tmp_path / "notes.png"
    text_file.write_text("hello")
    figures = [
        FigureRef(1, str(garbage)),
        FigureRef(2, str(truncated)),
        FigureRef(3, str(tmp_path / "missing.png")),
        FigureRef(4, str(text_file)),
        FigureRef(5, good),
    ]
    path = build_cheat_sheet_docx(sheet([Section("Figures", [Point("x", [1])], figures)]), tmp_path / "s.docx")
    doc = Document(str(path))
    assert len(doc.inline_shapes) == 1
    assert [p.text for p in doc.paragraphs if p.style.name == "Cheat Caption"] == ["Figure, p. 5"]
    assert not [p for p in doc.paragraphs if p.style.name == "Cheat Figure" and not p.runs]


def test_figures_can_be_left_out(tmp_path):
    section = Section("A", [Point("x", [1])], [FigureRef(1, png(tmp_path / "f.png"))])
    path = build_cheat_sheet_docx(sheet([section]), tmp_path / "s.docx", include_figures=False)
    assert len(Document(str(path)).inline_shapes) == 0


def test_non_png_figure_is_embedded(tmp_path):
    webp = tmp_path / "f.webp"
    Image.new("RGB", (300, 300), "red").save(webp, format="WEBP")
    path = build_cheat_sheet_docx(
        sheet([Section("A", [Point("x", [1])], [FigureRef(1, str(webp))])]), tmp_path / "s.docx"
    )
    assert [s.width for s in Document(str(path)).inline_shapes] == [EMU_3_2_INCHES]


def test_very_tall_figure_is_narrowed_to_fit_a_column(tmp_path):
    tall = png(tmp_path / "tall.png", (100, 800))
    path = build_cheat_sheet_docx(sheet([Section("A", [Point("x", [1])], [FigureRef(1, tall)])]), tmp_path / "s.docx")
    (shape,) = Document(str(path)).inline_shapes
    assert shape.height <= Inches(4.5)
    assert shape.width < EMU_3_2_INCHES


def test_hostile_text(tmp_path):
    long_point = "word " * 1000
    points = [
        Point("<b>&amp; </w:t> ]]> 😀 Ünïcödé", [2]),
        Point("control \x00\x07\x0b\x1f chars", [3]),
        Point(long_point, [4, 5]),
        Point("x" * 5000, [6]),
        Point("   ", [7]),
    ]
    sections = [Section("<h1>&nbsp;", points), Section("", [Point("no heading", [])])]
    path = build_cheat_sheet_docx(sheet(sections, made_offline=True), tmp_path / "s.docx")
    doc = Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "<b>&amp; </w:t> ]]> 😀 Ünïcödé (p. 2)" in text
    assert "•\tcontrol chars (p. 3)" in text
    assert "x" * 5000 + " (p. 6)" in text
    assert "<h1>&nbsp;" in text
    assert "no heading" in text
    points_out = [p.text for p in doc.paragraphs if p.style.name == "Cheat Point"]
    assert len(points_out) == 5  # the blank point is dropped


def test_empty_sheet(tmp_path):
    path = build_cheat_sheet_docx(CheatSheet("", []), tmp_path / "s.docx")
    assert Document(str(path)).paragraphs[0].text == "Cheat sheet"
