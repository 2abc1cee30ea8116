"""Every hostile fixture ends with a specific outcome, within its limits, through run_isolated."""

import time

import pytest

from apps.lectures.pipeline import IngestError, Limits, detect_kind, extract, run_isolated

from .conftest import fixture_path

LIMITS = Limits(total_timeout_s=60, page_timeout_s=30, memory_mb=1024, ocr_processes=2)
HARD_TIMEOUT = 75  # run_isolated kill switch above the extraction's own deadline

# file -> expected error code, or None when the file is genuinely readable
EXPECTED = {
    "hostile/ocrmypdf_invalid.pdf": "corrupt",
    "hostile/pdfjs_bug1250079.pdf": "corrupt",
    "hostile/pdfjs_poppler-937-0-fuzzed.pdf": "corrupt",
    "hostile/ocrmypdf_hugemono.pdf": "image_too_large",
    "hostile/ocrmypdf_skew-encrypted.pdf": "encrypted",
    "hostile/pdfjs_Pages-tree-refs.pdf": None,  # page 1 readable, the looping page 2 is skipped
    "hostile/pdfjs_bomb_giant.pdf": None,  # JBIG2 bomb streams are never decoded; the text layer is read
    "hostile/ocrmypdf_encrypted_algo4.pdf": None,  # owner password only: opens without one
    "hostile/ocrmypdf_type3_font_nomapping.pdf": None,  # garbage text layer -> OCR
    "hostile/pythonpptx_missing_rels_item.pptx": None,  # extract what can be read
}


def _run(path, **kwargs):
    kind = detect_kind(path)
    return run_isolated(
        extract, path, kind, limits=LIMITS, timeout_s=HARD_TIMEOUT, memory_mb=LIMITS.memory_mb, **kwargs
    )


@pytest.mark.parametrize("rel,code", sorted(EXPECTED.items(), key=lambda kv: kv[0]))
def test_hostile_file_outcome(rel, code):
    path = fixture_path(rel)
    t0 = time.monotonic()
    if code is None:
        pages = _run(path)
        assert pages and any(p.text.strip() for p in pages)
    else:
        with pytest.raises(IngestError) as exc:
            _run(path)
        assert exc.value.code == code, exc.value.message
        assert exc.value.message.endswith(".")
    assert time.monotonic() - t0 < LIMITS.total_timeout_s


def test_readable_hostile_details():
    pages = _run(fixture_path("hostile/pdfjs_bomb_giant.pdf"))
    assert "GIANT JBIG2 BOMB" in pages[0].text and pages[0].method == "text"
    pages = _run(fixture_path("hostile/pdfjs_Pages-tree-refs.pdf"))
    assert [p.number for p in pages if p.unreadable is None] == [1]
    assert [(p.number, p.unreadable.code, p.text) for p in pages[1:]] == [(2, "corrupt", "")]  # skipped, said why
    pages = _run(fixture_path("hostile/ocrmypdf_encrypted_algo4.pdf"))
    assert pages[0].method == "ocr" and pages[0].confidence
    pages = _run(fixture_path("hostile/pythonpptx_missing_rels_item.pptx"))
    assert pages[0].blocks[0].kind == "heading"


def test_encrypted_pdf_with_password():
    path = fixture_path("hostile/ocrmypdf_skew-encrypted.pdf")
    with pytest.raises(IngestError) as exc:
        _run(path, password="not-the-password")
    assert exc.value.code == "wrong_password"
    pages = _run(path, password="password")
    assert pages[0].method == "ocr"
    assert "throne of England" in pages[0].text  # (a Dickens page, not the Linn flyer)


def test_progress_is_relayed_to_the_parent():
    calls = []
    pages = _run(fixture_path("lectures/grobol_xml-slides.pdf"), progress=lambda *a: calls.append(a))
    assert len(pages) == 10
    assert calls and calls[-1][1] == 10
    assert any("page 3 of 10" in step for _, _, step in calls)


def test_total_timeout_inside_extract():
    limits = Limits(total_timeout_s=1, ocr_processes=1)
    t0 = time.monotonic()
    with pytest.raises(IngestError) as exc:
        run_isolated(
            extract, fixture_path("scans/ocrmypdf_cardinal.pdf"), "pdf", limits=limits, timeout_s=30, memory_mb=1024
        )
    assert exc.value.code == "timeout"
    assert time.monotonic() - t0 < 10
