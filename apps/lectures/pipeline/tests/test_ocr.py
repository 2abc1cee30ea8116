"""OCR accuracy on real scans: character error rate (edit distance / truth length, whitespace normalised)."""

import time

import numpy as np
import pytest

from apps.lectures.pipeline import Limits, extract
from apps.lectures.pipeline.metrics import cer, levenshtein
from apps.lectures.pipeline.ocr import estimate_skew, rotate_gray

from .conftest import fixture_path

LIMITS = Limits(ocr_processes=2, total_timeout_s=300)

CASES = [
    # (document, kind, page, ground truth, max CER)
    ("scans/tess_phototest.pdf", "pdf", 1, "scans/tess_phototest.txt", 0.03),
    ("scans/tess_phototest.tif", "image", 1, "scans/tess_phototest.txt", 0.03),
    ("scans/tess_eurotext.tif", "image", 1, "scans/tess_eurotext.txt", 0.052),
    ("scans/tess_8087_054.3B.pdf", "pdf", 1, "scans/tess_8087_054.3B.txt", 0.108),
    ("scans/ocrmypdf_linn.pdf", "pdf", 1, "scans/ocrmypdf_linn.txt", 0.04),
    ("scans/ocrmypdf_skew.pdf", "pdf", 1, "scans/ocrmypdf_linn.txt", 0.05),
]


def _truth(rel):
    return fixture_path(rel).read_text(encoding="utf-8")


def test_levenshtein_matches_reference():
    def ref(a, b):
        row = list(range(len(b) + 1))
        for i, ca in enumerate(a, 1):
            prev, row[0] = row[:], i
            for j, cb in enumerate(b, 1):
                row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
        return row[-1]

    rng = np.random.default_rng(1)
    for _ in range(200):
        a = "".join(rng.choice(list("abcé "), rng.integers(0, 15)))
        b = "".join(rng.choice(list("abcé "), rng.integers(0, 15)))
        assert levenshtein(a, b) == ref(a, b)
    assert cer("the  quick\nbrown", "the quick brown") == 0


@pytest.mark.parametrize("rel,kind,page,truth,max_cer", CASES, ids=[c[0] for c in CASES])
def test_ocr_accuracy(rel, kind, page, truth, max_cer):
    pages = extract(fixture_path(rel), kind, limits=LIMITS)
    p = pages[page - 1]
    assert p.method == "ocr"
    assert p.confidence is not None and 50 < p.confidence <= 100
    assert p.thumbnail
    value = cer(p.text, _truth(truth))
    print(f"CER {rel}: {value:.4f} (conf {p.confidence})")
    assert value <= max_cer


def test_ocr_auto_rotation_cardinal():
    """Four pages rotated 0/90/180/270 degrees, processed with 2 Tesseract workers."""
    truth = _truth("scans/ocrmypdf_linn.txt")
    progress = []
    t0 = time.monotonic()
    pages = extract(
        fixture_path("scans/ocrmypdf_cardinal.pdf"), "pdf", limits=LIMITS, progress=lambda *a: progress.append(a)
    )
    elapsed = time.monotonic() - t0
    assert len(pages) == 4
    for p in pages:
        value = cer(p.text, truth)
        print(f"CER cardinal page {p.number}: {value:.4f} (conf {p.confidence})")
        assert p.method == "ocr"
        assert value <= 0.05, (p.number, value)
    assert any(step.startswith("OCR page") for _, _, step in progress)
    assert progress[-1][0] == 4
    print(f"cardinal: {elapsed:.1f}s for 4 OCR pages")


def test_type3_garbage_text_layer_falls_back_to_ocr():
    pages = extract(fixture_path("hostile/ocrmypdf_type3_font_nomapping.pdf"), "pdf", limits=LIMITS)
    assert pages[0].method == "ocr"


def test_ocr_scan_figure_region():
    """tess_8087 has a photo in its layout: it becomes a figure of the page."""
    pages = extract(fixture_path("scans/tess_8087_054.3B.tif"), "image", limits=LIMITS)
    figs = pages[0].figures
    assert len(figs) == 1
    assert figs[0].width > 500 and figs[0].height > 800
    assert figs[0].png.startswith(b"\x89PNG")


@pytest.mark.parametrize("angle", [-7.0, -2.5, 0.0, 3.0, 12.0])
def test_deskew_estimate(angle):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(fixture_path("scans/ocrmypdf_linn.pdf")))
    gray = pdf[0].render(scale=100 / 72, grayscale=True).to_numpy()
    gray = np.ascontiguousarray(gray[:, :, 0] if gray.ndim == 3 else gray)
    for quarter in (0, 1):
        img = np.ascontiguousarray(np.rot90(rotate_gray(gray, angle), quarter))
        assert abs(estimate_skew(img) + angle) <= 0.3


@pytest.mark.parametrize("quarter", [0, 1, 2])
def test_explicit_osd_orientation(quarter):
    from PIL import Image

    from apps.lectures.pipeline.ocr import detect_orientation

    img = Image.open(fixture_path("scans/tess_eurotext.tif")).convert("L").rotate(90 * quarter, expand=True)
    fix = detect_orientation(img)
    assert (fix + 90 * quarter) % 360 == 0


def test_osd_failure_on_sparse_page_falls_back_to_zero():
    from PIL import Image

    from apps.lectures.pipeline.ocr import detect_orientation

    assert detect_orientation(Image.new("L", (400, 300), 255)) == 0
