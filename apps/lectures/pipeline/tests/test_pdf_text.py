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
    # A0 poster: reduced DPI within the pixel budget, never below the floor
    dpi = choose_dpi(2384, 3370, limits)
    assert 150 <= dpi < 300
    assert (2384 / 72 * dpi) * (3370 / 72 * dpi) <= limits.max_page_pixels
    with pytest.raises(Exception) as exc:
        choose_dpi(8400, 8400, limits)  # ocrmypdf_hugemono: 35000 x 35000 px at 300 dpi
    assert exc.value.code == "image_too_large"
