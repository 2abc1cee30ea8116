import io

import pytest
from PIL import Image

from apps.lectures.pipeline import IngestError, Limits, detect_kind, extract
from apps.lectures.pipeline.metrics import cer

from .conftest import fixture_path


def test_multiframe_tiff_and_png(tmp_path):
    photo = Image.open(fixture_path("scans/tess_phototest.tif"))
    euro = Image.open(fixture_path("scans/tess_eurotext.tif"))
    tiff = tmp_path / "two.tiff"
    photo.save(tiff, save_all=True, append_images=[euro], dpi=(300, 300))
    assert detect_kind(tiff) == "image"
    pages = extract(tiff, "image", limits=Limits(ocr_processes=2))
    assert [p.number for p in pages] == [1, 2]
    assert all(p.method == "ocr" and p.thumbnail for p in pages)
    assert cer(pages[0].text, fixture_path("scans/tess_phototest.txt").read_text()) <= 0.03
    assert "quick" in pages[1].text

    png = tmp_path / "scan.png"
    photo.convert("RGBA").save(png)  # alpha channel is flattened on white
    pages = extract(png, detect_kind(png))
    assert cer(pages[0].text, fixture_path("scans/tess_phototest.txt").read_text()) <= 0.03


def test_blank_image_has_no_text(tmp_path):
    p = tmp_path / "blank.png"
    Image.new("L", (800, 600), 255).save(p)
    with pytest.raises(IngestError) as exc:
        extract(p, "image")
    assert exc.value.code == "no_text"


def test_broken_image_is_corrupt(tmp_path):
    p = tmp_path / "broken.png"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x11garbage" * 100)
    assert detect_kind(p) == "image"
    with pytest.raises(IngestError) as exc:
        extract(p, "image")
    assert exc.value.code == "corrupt"


def test_oversized_image_upload(tmp_path):
    p = tmp_path / "big.png"
    Image.new("1", (3000, 3000), 1).save(p)
    # beyond the decompression-bomb limit: refused, never decoded
    with pytest.raises(IngestError) as exc:
        extract(p, "image", limits=Limits(max_page_pixels=1_000_000, max_image_pixels=1_000_000))
    assert exc.value.code == "image_too_large"


def _pdf_with_text_and_image(path, image_size):
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    Image.effect_noise(image_size, 30).convert("RGB").save(buf, format="PNG")
    buf.seek(0)
    c = canvas.Canvas(str(path), pagesize=(612, 792))
    c.setFont("Helvetica", 14)
    c.drawString(72, 720, "Photosynthesis converts light energy into chemical energy.")
    c.drawImage(ImageReader(buf), 72, 200, width=400, height=300)
    c.save()


def test_oversized_embedded_image_is_skipped_not_decoded(tmp_path):
    path = tmp_path / "figure.pdf"
    _pdf_with_text_and_image(path, (1600, 1200))
    # within limits: the image is a figure
    pages = extract(path, "pdf")
    assert pages[0].method == "text" and len(pages[0].figures) == 1
    assert pages[0].figures[0].width == 1600
    # over the decoding limit: text still read, figure and thumbnail skipped
    pages = extract(path, "pdf", limits=Limits(max_page_pixels=1_000_000, max_image_pixels=1_000_000))
    assert "Photosynthesis" in pages[0].text
    assert pages[0].figures == [] and pages[0].thumbnail is None


def test_scanned_pdf_page_with_oversized_image(tmp_path):
    path = tmp_path / "scan.pdf"
    Image.open(fixture_path("scans/tess_phototest.tif")).convert("L").resize((1920, 1440)).save(path, resolution=600)
    # over the page budget: rendered smaller (within the budget) and read
    pages = extract(path, "pdf", limits=Limits(max_page_pixels=2_000_000))
    assert pages[0].method == "ocr" and pages[0].unreadable is None
    assert "quick brown dog" in pages[0].text
    # over the decoding limit as well: the only page cannot be read, so the document fails
    with pytest.raises(IngestError) as exc:
        extract(path, "pdf", limits=Limits(max_page_pixels=2_000_000, max_image_pixels=2_000_000))
    assert exc.value.code == "image_too_large"
    assert "1,920 × 1,440 pixels" in exc.value.message
