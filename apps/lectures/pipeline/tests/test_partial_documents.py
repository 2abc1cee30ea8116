"""One bad page never fails a whole document: a page over the pixel budget is rendered smaller and read, a
page that still cannot be read is skipped with its reason, and the rest is read."""

import pytest
from PIL import Image

from apps.lectures.pipeline import IngestError, Limits, detect_kind, extract, run_isolated

from .generated_pdfs import SCAN_LINES, TEXT_PAGES, damaged_jpeg, jpeg_bytes, single_image_pdf, six_page_pdf, text_image

LIMITS = Limits(total_timeout_s=300, page_timeout_s=120, memory_mb=1024)


def _run(path, limits=LIMITS):
    return run_isolated(extract, path, detect_kind(path), limits=limits, timeout_s=330, memory_mb=limits.memory_mb)


def test_a_9000_pixel_scan_page_is_rendered_within_the_budget_and_read(tmp_path):
    pages = _run(six_page_pdf(tmp_path / "six.pdf"))
    assert [p.number for p in pages] == [1, 2, 3, 4, 5, 6]
    assert all(p.unreadable is None for p in pages)
    assert pages[1].method == "ocr" and pages[1].thumbnail
    assert all(line in pages[1].text for line in SCAN_LINES), pages[1].text
    for number, (title, body) in TEXT_PAGES.items():
        assert pages[number - 1].method == "text" and title in pages[number - 1].text and body in pages[number - 1].text


def test_a_single_page_pdf_with_a_huge_image_is_read(tmp_path):
    # 9000 x 9000 px at 72 dpi: a 125-inch page, far under any usual DPI within 40 megapixels
    pages = _run(single_image_pdf(tmp_path / "poster.pdf"))
    assert len(pages) == 1 and pages[0].unreadable is None
    assert "Photosynthesis converts light" in pages[0].text


def test_a_page_with_a_damaged_scan_is_skipped_with_its_reason(tmp_path):
    pages = _run(six_page_pdf(tmp_path / "bad.pdf", scan_page=4, scan=damaged_jpeg(), side=2000))
    assert [p.number for p in pages] == [1, 2, 3, 4, 5, 6]
    assert pages[3].text == "" and pages[3].unreadable.code == "corrupt"
    assert pages[3].unreadable.reason == "its scanned image is damaged and could not be decoded."
    assert all(p.unreadable is None and p.text for p in pages if p.number != 4)


def test_an_image_beyond_the_decoding_limit_is_never_decoded_and_only_its_page_skipped(tmp_path):
    limits = Limits(max_page_pixels=1_000_000, max_image_pixels=2_000_000, memory_mb=1024)
    pages = _run(six_page_pdf(tmp_path / "bomb.pdf", side=1500), limits)
    assert pages[1].unreadable.code == "image_too_large"
    assert pages[1].unreadable.reason == "it contains an image too large to process safely (1,500 × 1,500 pixels)."
    assert pages[1].thumbnail is None  # even a thumbnail would decode it
    assert [p.number for p in pages if p.unreadable is None] == [1, 3, 4, 5, 6]


def test_a_document_whose_only_page_cannot_be_read_fails_with_that_reason(tmp_path):
    path = single_image_pdf(tmp_path / "bomb.pdf", side=1500)
    with pytest.raises(IngestError) as exc:
        _run(path, Limits(max_page_pixels=1_000_000, max_image_pixels=2_000_000, memory_mb=1024))
    assert exc.value.code == "image_too_large"
    assert exc.value.message == (
        "This document could not be read: it contains an image too large to process safely (1,500 × 1,500 pixels)."
    )


def test_an_image_upload_over_the_page_budget_is_read_smaller(tmp_path):
    path = tmp_path / "board.jpg"
    path.write_bytes(jpeg_bytes(text_image(3000)))
    pages = extract(path, "image", limits=Limits(max_page_pixels=2_000_000))
    assert len(pages) == 1 and pages[0].unreadable is None
    assert "Photosynthesis converts light" in pages[0].text


def test_a_frame_beyond_the_decoding_limit_is_skipped_the_others_read(tmp_path):
    path = tmp_path / "two.tiff"
    small, big = text_image(1200), Image.new("L", (2000, 2000), 255)
    small.save(path, save_all=True, append_images=[big], dpi=(300, 300))
    pages = extract(path, "image", limits=Limits(max_page_pixels=2_000_000, max_image_pixels=3_000_000))
    assert "Photosynthesis converts light" in pages[0].text and pages[0].unreadable is None
    assert pages[1].unreadable.code == "image_too_large"
    assert "2,000 × 2,000 pixels" in pages[1].unreadable.reason
