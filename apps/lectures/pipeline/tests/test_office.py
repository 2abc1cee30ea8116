import io

import pytest
from PIL import Image

from apps.lectures.pipeline import IngestError, Limits, detect_kind, extract

from .conftest import fixture_path


def test_py4e_pptx_slides_notes_tables_figures():
    pages = extract(fixture_path("lectures/py4e_Pythonlearn-02-Expressions.pptx"), "pptx")
    assert len(pages) == 34
    assert all(p.method == "native" and p.thumbnail.startswith(b"\x89PNG") and p.confidence is None for p in pages)
    assert pages[0].blocks[0].kind == "heading"
    assert pages[0].blocks[0].text == "Variables, Expressions, and Statements"
    # speaker notes are kept apart from the slide text
    assert "Note from Chuck" in pages[0].notes
    assert "Note from Chuck" not in pages[0].text
    # a real table becomes a table block with " | " separated cells
    tables = [b for p in pages for b in p.blocks if b.kind == "table"]
    assert tables and any("Operator | Operation" in t.text and "** | Power" in t.text for t in tables)
    # bulleted body text becomes list blocks
    p4 = pages[3]
    assert p4.blocks[0].text == "Variables"
    assert any(b.kind == "list" and "A variable is a named place" in b.text for b in p4.blocks)
    # figures: PNG, reasonably sized, numbered per slide
    figs = [f for p in pages for f in p.figures]
    assert figs and all(f.png.startswith(b"\x89PNG") and f.width >= 64 and f.height >= 64 for f in figs)


def test_gjbex_large_deck_is_read_whole():
    # Its speed is measured by bench/ingest.py, not asserted here.
    pages = extract(fixture_path("lectures/gjbex_debugging.pptx"), "pptx")
    assert len(pages) == 222
    assert pages[0].blocks[0].text == "Debugging techniques"
    assert sum(1 for p in pages if p.text.strip()) > 200


def test_repeated_logo_is_dropped(tmp_path):
    from pptx import Presentation
    from pptx.util import Inches

    logo = tmp_path / "logo.png"
    Image.new("RGB", (200, 100), (200, 30, 30)).save(logo)
    prs = Presentation()
    for i in range(4):
        slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only
        slide.shapes.title.text = f"Slide {i + 1}"
        slide.shapes.add_picture(str(logo), Inches(8), Inches(0.2))
        if i == 2:
            photo = tmp_path / "photo.png"
            img = Image.effect_noise((300, 200), 40).convert("RGB")
            img.save(photo)
            slide.shapes.add_picture(str(photo), Inches(1), Inches(2))
            slide.shapes.add_picture(str(logo), Inches(1), Inches(5)).width = Inches(0.1)  # same blob again
    path = tmp_path / "deck.pptx"
    prs.save(path)
    pages = extract(path, detect_kind(path))
    assert [len(p.figures) for p in pages] == [0, 0, 1, 0]
    assert pages[2].figures[0].width == 300


def _make_docx(path):
    import docx
    from docx.shared import Inches

    img = io.BytesIO()
    Image.effect_noise((320, 240), 50).convert("RGB").save(img, format="PNG")
    img.seek(0)
    document = docx.Document()
    document.add_heading("Thermodynamics", level=0)
    document.add_heading("First law", level=1)
    document.add_paragraph("Energy is conserved in an isolated system.")
    document.add_paragraph("Internal energy", style="List Bullet")
    document.add_paragraph("Heat and work", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Quantity"
    table.cell(0, 1).text = "Unit"
    table.cell(1, 0).text = "Energy"
    table.cell(1, 1).text = "joule"
    document.add_page_break()
    document.add_heading("Second law", level=1)
    para = document.add_paragraph("Entropy never decreases.")
    para.add_run().add_break()
    document.add_picture(img, width=Inches(3))
    document.add_paragraph("The end.")
    document.save(path)


def test_docx_structure_pages_and_figures(tmp_path):
    path = tmp_path / "notes.docx"
    _make_docx(path)
    assert detect_kind(path) == "docx"
    pages = extract(path, "docx")
    assert [p.number for p in pages] == [1, 2]
    assert all(p.method == "native" for p in pages)
    kinds1 = [(b.kind, b.text) for b in pages[0].blocks]
    assert kinds1[0] == ("heading", "Thermodynamics")
    assert kinds1[1] == ("heading", "First law")
    assert kinds1[2] == ("text", "Energy is conserved in an isolated system.")
    assert kinds1[3][0] == "list" and "Internal energy" in kinds1[3][1] and "Heat and work" in kinds1[3][1]
    assert kinds1[4] == ("table", "Quantity | Unit\nEnergy | joule")
    assert pages[1].blocks[0] == pages[1].blocks[0].__class__("Second law", "heading")
    assert "Entropy never decreases." in pages[1].text
    assert len(pages[1].figures) == 1 and pages[1].figures[0].width == 320
    assert not pages[0].figures


def test_docx_last_rendered_page_break(tmp_path):
    import docx
    from docx.oxml import OxmlElement

    document = docx.Document()
    document.add_paragraph("Page one text.")
    p = document.add_paragraph("Still page one. ")
    run = p.add_run("Now page two.")
    run._r.insert(0, OxmlElement("w:lastRenderedPageBreak"))
    path = tmp_path / "rendered.docx"
    document.save(path)
    pages = extract(path, "docx")
    assert len(pages) == 2
    assert "Still page one." in pages[0].text
    assert pages[1].text == "Now page two."


def test_broken_office_files(tmp_path):
    bad = tmp_path / "broken.pptx"
    data = fixture_path("lectures/py4e_Pythonlearn-02-Expressions.pptx").read_bytes()
    bad.write_bytes(data[: len(data) // 2])  # truncated: no central directory
    assert detect_kind(bad) == "pptx"
    with pytest.raises(IngestError) as exc:
        extract(bad, "pptx")
    assert exc.value.code == "corrupt"


def test_zip_bomb_is_refused(tmp_path):
    import zipfile

    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\x00" * (300 * 1024 * 1024))
    assert path.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(IngestError) as exc:
        extract(path, "docx", limits=Limits(memory_mb=1024))
    assert exc.value.code == "too_much_memory"


def test_docx_outline_level_heading(tmp_path):
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    p = document.add_paragraph("Custom styled heading")
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), "0")
    p._p.get_or_add_pPr().append(outline)
    body = document.add_paragraph("Body")
    body_outline = OxmlElement("w:outlineLvl")
    body_outline.set(qn("w:val"), "9")  # "body text" level
    body._p.get_or_add_pPr().append(body_outline)
    path = tmp_path / "outline.docx"
    document.save(path)
    pages = extract(path, "docx")
    assert [(b.kind, b.text) for b in pages[0].blocks] == [("heading", "Custom styled heading"), ("text", "Body")]


def test_every_format_gets_a_thumbnail(tmp_path):
    from io import BytesIO

    from PIL import Image

    from apps.lectures.pipeline import extract

    md = tmp_path / "notes.md"
    md.write_text("# Sorting\n\n- quicksort\n- mergesort\n\n# Graphs\n\nBreadth-first search visits level by level.\n")
    pages = extract(md, "markdown")
    assert len(pages) == 2
    for page in pages:
        image = Image.open(BytesIO(page.thumbnail))
        assert image.format == "PNG" and image.width == 320 and image.height > image.width
