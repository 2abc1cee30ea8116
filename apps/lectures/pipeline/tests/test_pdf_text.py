import time

import pytest

from apps.lectures.pipeline import Limits, clean_pages, extract
from apps.lectures.pipeline.pdf import choose_dpi, text_is_usable

from .conftest import fixture_path

DECKS = [
    (
        "lectures/py4e_Pythonlearn-02-Expressions.pdf",
        35,
        {
            1: "Variables, Expressions, and",
            4: "A variable is a named place in the memory",
            16: "Asterisk is multiplication",
        },
    ),
    (
        "lectures/scicomp_lectures_tut_2018_5.pdf",
        24,
        {1: "Python 3 for scientific computing", 3: "n-dimensional array"},
    ),
    ("lectures/grobol_xml-slides.pdf", 10, {1: "HTML permettait de décrire des documents web", 10: "CDATA"}),
]


@pytest.mark.parametrize("rel,count,phrases", DECKS)
def test_text_layer_decks(rel, count, phrases):
    progress = []
    t0 = time.monotonic()
    pages = extract(fixture_path(rel), "pdf", progress=lambda *a: progress.append(a))
    elapsed = time.monotonic() - t0
    assert len(pages) == count
    assert [p.number for p in pages] == list(range(1, count + 1))
    assert all(p.method == "text" for p in pages)
    assert all(p.confidence is None for p in pages)
    for number, phrase in phrases.items():
        assert phrase in " ".join(pages[number - 1].text.split()), (number, phrase)
    # thumbnails: small JPEG/PNG images for every page
    for p in pages:
        assert p.thumbnail and p.thumbnail[:3] in (b"\xff\xd8\xff", b"\x89PN")
    # text layer is fast: well under 0.1 s a page even on a busy 2-core machine
    assert elapsed < 0.1 * count + 1.0, elapsed
    # progress reported for every page, ending at n of n
    assert progress[-1][1] == count
    assert max(p[0] for p in progress) == count


def test_block_kinds_from_text_layer():
    pages = extract(fixture_path("lectures/py4e_Pythonlearn-02-Expressions.pdf"), "pdf")
    p4 = pages[3]
    assert p4.blocks[0].kind == "heading" and p4.blocks[0].text == "Variables"
    lists = [b for b in p4.blocks if b.kind == "list"]
    assert lists and lists[0].text.count("•") == 3
    kinds = {b.kind for p in pages for b in p.blocks}
    assert {"heading", "text", "list"} <= kinds


def test_pdf_figures_are_extracted_and_decorations_skipped():
    pages = extract(fixture_path("lectures/scicomp_lectures_tut_2018_5.pdf"), "pdf")
    figures = [(p.number, f) for p in pages for f in p.figures]
    assert figures
    for _, f in figures:
        assert f.png.startswith(b"\x89PNG")
        assert f.width >= 64 and f.height >= 64
    for p in pages:
        assert [f.index for f in p.figures] == list(range(1, len(p.figures) + 1))


def test_clean_pages_removes_page_numbers_in_grobol():
    pages = extract(fixture_path("lectures/grobol_xml-slides.pdf"), "pdf")
    assert pages[0].blocks[-1].text.strip() == "1"  # the page number is there before cleaning
    cleaned = clean_pages(pages)
    for p in cleaned:
        last = p.blocks[-1].text.split("\n")[-1].strip()
        assert last != str(p.number)
    # code lines repeated on many pages (not at page edges) survive
    assert sum('<?xml version="1.0"' in p.text for p in cleaned) >= 5


def test_max_pages_checked_first():
    t0 = time.monotonic()
    with pytest.raises(Exception) as exc:
        extract(fixture_path("lectures/py4e_Pythonlearn-02-Expressions.pdf"), "pdf", limits=Limits(max_pages=10))
    assert exc.value.code == "too_many_pages"
    assert time.monotonic() - t0 < 1


def test_text_usability():
    assert text_is_usable("Variables, Expressions, and Statements. Chapter 2")
    assert text_is_usable("x = 12.2\ny = 14\nprint(x)")
    assert text_is_usable("Décrire et manipuler un document numérique — Cours 7 : XML")
    assert not text_is_usable("\x19\x12")
    assert not text_is_usable("")
    assert not text_is_usable("\ue000\ue001\ue002 \ue003\ue004")
    assert not text_is_usable("#$%& *+,- ./:; <=>? @[]^ _`{| }~!")
    assert not text_is_usable(" ".join(["Qxzt", "Bcdfg", "Hjklm", "Npqrs", "Tvwxz"] * 3))


def test_choose_dpi():
    limits = Limits()
    assert choose_dpi(612, 792, limits) == 300
    # A0 poster: reduced DPI within the pixel budget
    dpi = choose_dpi(2384, 3370, limits)
    assert 150 <= dpi < 300
    assert (2384 / 72 * dpi) * (3370 / 72 * dpi) <= limits.max_page_pixels
    # a 117-inch page (ocrmypdf_hugemono's size) is rendered smaller, at the highest DPI within the budget
    dpi = choose_dpi(8400, 8400, limits)
    assert (8400 / 72 * dpi) ** 2 <= limits.max_page_pixels < (8400 / 72 * (dpi + 1)) ** 2
    with pytest.raises(Exception) as exc:
        choose_dpi(200_000, 200_000, limits)  # a page of 70 m: under the floor, not rasterised
    assert exc.value.code == "image_too_large"


# ------------------------------------------------------------------------------ letter-spaced text
def test_letter_spaced_listing_is_respaced():
    """A listing set on a fixed grid in a proportional font (pdr exam, page 2): pdfium splits words into
    letters ("i n t main ( ) {"); lines are rebuilt from the character boxes, the prose around is unchanged."""
    pages = clean_pages(extract(fixture_path("exams/pdr_exam1-f21.pdf"), "pdf"))
    text = pages[1].text
    lines = text.splitlines()
    assert "error: use of undeclared identifier" in text
    assert "int main() {" in lines
    assert "cout << b << endl;" in lines
    assert "from ’std::string’ (aka ’basic string<char>’) to ’int’ for 1st argument" in lines
    assert "3 errors generated." in lines
    for broken in ("i n t", "e r r o r", "i d e n t i f i e r", "cou t"):
        assert broken not in text, broken
    # prose lines of the page, spaced by pdfium, keep their words apart
    assert "2. [3 points] Briefly, why can’t you make C++ segfault with references? HINT: Think about the" in lines
    assert "error messages, briefly describe what is wrong, and how you would fix it." in lines
    # other listings of the exam
    page4 = pages[3].text.splitlines()
    assert {"int main() {", "float a = −6.00;", "float c = a + b;", "return 0;"} <= set(page4)
    assert "7. [3 points] What is the worst-case big-Theta running time of vector::push back()? Briefly," in (
        pages[2].text.splitlines()
    )


def _grid_and_prose_pdf(path):
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(612, 792))

    def grid(text, y, font="Times-Roman", size=12.0):
        # every character centred in its own 0.6 em cell, like fixed-column listings
        pitch = 0.6 * size
        for k, ch in enumerate(text):
            if ch != " ":
                c.setFont(font, size)
                c.drawString(72 + k * pitch + (pitch - stringWidth(ch, font, size)) / 2, y, ch)

    def words(text, y, font="Times-Roman", size=12.0, space=3.0, wide=()):
        # words placed one by one (no space characters), some gaps wider (sentence end, list label)
        x = 72.0
        for k, w in enumerate(text.split()):
            c.setFont(font, size)
            c.drawString(x, y, w)
            x += stringWidth(w, font, size) + (2.2 * space if k in wide else space)

    grid("int main() {", 740)
    grid("    if (x_1 > 0) return fib(n - 1) + fib(n - 2);", 725)
    grid("exam1_error.cpp:8:11: error: use of undeclared identifier 'b'", 710)
    x = 72.0
    for ch in "CHAPTER ONE":  # a tracked heading
        if ch == " ":
            x += 14
            continue
        c.setFont("Helvetica-Bold", 14)
        c.drawString(x, 690, ch)
        x += stringWidth(ch, "Helvetica-Bold", 14) + 4
    words("Let a b c be the sides of it. Then x = y and a b = c.", 660, wide=(6,))
    words("x = a + b", 645, font="Times-Italic")
    c.drawString(400, 645, "(3)")
    words("A variable is a named place in the memory where a programmer can store data.", 630, "Helvetica", 11)
    words("Si x = 1 et y = 2 alors é è à ù ç, un élément « XML » bien formé.", 615)
    c.save()


def test_letter_spacing_rebuilt_generally_and_prose_left_alone(tmp_path):
    path = tmp_path / "grid.pdf"
    _grid_and_prose_pdf(path)
    lines = extract(path, "pdf")[0].text.splitlines()
    assert "int main() {" in lines
    assert "if (x_1 > 0) return fib(n - 1) + fib(n - 2);" in lines
    assert "exam1_error.cpp:8:11: error: use of undeclared identifier 'b'" in lines
    assert "CHAPTER ONE" in lines
    assert "Let a b c be the sides of it. Then x = y and a b = c." in lines
    assert "x = a + b (3)" in lines
    assert "A variable is a named place in the memory where a programmer can store data." in lines
    assert "Si x = 1 et y = 2 alors é è à ù ç, un élément « XML » bien formé." in lines
