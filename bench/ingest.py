"""Ingestion speed against raw baselines timed in the same run.

Text-layer deck: our pipeline (isolated extraction + cleaning + chunking + embedding) vs `pdftotext` on the
whole file plus embedding the same chunks alone. Scanned pages: our OCR pipeline (rasterise at 300 dpi,
orientation, deskew, recognition) with one and with two processes vs the `tesseract` CLI page by page with
OMP_THREAD_LIMIT=1 on page images rasterised beforehand (rasterising is not charged to the baseline).

Prints pages/second and ratios; exits 0 whatever the figures (targets are reported, not enforced).
Usage: .venv/bin/python bench/ingest.py [--repeat N]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ["OMP_THREAD_LIMIT"] = "1"

from apps.lectures import pipeline  # noqa: E402
from apps.lectures.pipeline.context import embedding_text  # noqa: E402
from apps.lectures.pipeline.pieces import piece_texts  # noqa: E402
from smartnotes import ai  # noqa: E402

FIXTURES = Path(os.environ.get("SMARTNOTES_FIXTURES", ROOT.parent / "shared" / "fixtures"))
TEXT_DECK = FIXTURES / "lectures" / "py4e_Pythonlearn-02-Expressions.pdf"
SCANS = [
    FIXTURES / "scans" / name
    for name in ("ocrmypdf_cardinal.pdf", "ocrmypdf_linn.pdf", "tess_8087_054.3B.pdf", "tess_phototest.pdf")
]


def timed(fn, repeat):
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def ours_text():
    limits = pipeline.Limits()
    pages = pipeline.run_isolated(
        pipeline.extract,
        str(TEXT_DECK),
        "pdf",
        limits=limits,
        timeout_s=limits.total_timeout_s,
        memory_mb=limits.memory_mb,
    )
    drafts = pipeline.chunk_pages(pipeline.clean_pages(pages))
    # As apps/lectures/ingest.py embeds them: each chunk under its title, then its pieces in batches of their own.
    ai.embed_texts([embedding_text(d.title, d.text) for d in drafts])
    pieces = [text for d in drafts for text in piece_texts(d.title, d.text)]
    for start in range(0, len(pieces), 256):
        ai.embed_texts(pieces[start : start + 256])
    return pages, drafts


def baseline_text(texts):
    def run():
        subprocess.run(["pdftotext", "-layout", str(TEXT_DECK), "-"], check=True, capture_output=True)
        ai.embed_texts(texts)

    return run


def merge_scans(folder: Path) -> Path:
    """One multi-page scanned document, so pages can be spread over processes."""
    import pikepdf

    merged = pikepdf.new()
    for scan in SCANS:
        with pikepdf.open(scan) as pdf:
            merged.pages.extend(pdf.pages)
    target = folder / "scans.pdf"
    merged.save(target)
    return target


def ours_ocr(document: Path, processes: int):
    def run():
        limits = pipeline.Limits(ocr_processes=processes)
        pages = pipeline.run_isolated(
            pipeline.extract,
            str(document),
            "pdf",
            limits=limits,
            timeout_s=limits.total_timeout_s,
            memory_mb=limits.memory_mb,
        )
        assert all(p.method == "ocr" for p in pages), [p.method for p in pages]
        return pages

    return run


def rasterise(document: Path, folder: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", str(document), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


def baseline_ocr(images):
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def run():
        for image in images:
            subprocess.run(["tesseract", str(image), "stdout"], check=True, capture_output=True, env=env)

    return run


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not FIXTURES.is_dir():
        sys.exit(f"fixtures folder {FIXTURES} not found (set SMARTNOTES_FIXTURES)")
    ai.warm_up()

    print(f"# Ingestion benchmark ({os.cpu_count()} CPUs, median of {args.repeat})")
    t_ours, (pages, drafts) = timed(ours_text, args.repeat)
    t_base, _ = timed(baseline_text([d.text for d in drafts]), args.repeat)
    n = len(pages)
    print(f"text-layer deck {TEXT_DECK.name}: {n} pages, {len(drafts)} chunks")
    print(f"  ours     {t_ours:7.3f} s  {n / t_ours:7.1f} pages/s  (extract+clean+chunk+embed)")
    print(f"  baseline {t_base:7.3f} s  {n / t_base:7.1f} pages/s  (pdftotext + embedding the same chunks)")
    print(f"  ratio ours/baseline = {t_ours / t_base:.2f}  (target <= 1.5)")

    with tempfile.TemporaryDirectory() as tmp:
        document = merge_scans(Path(tmp))
        images = rasterise(document, Path(tmp))
        ocr_repeat = max(1, args.repeat - 1)
        t_tess, _ = timed(baseline_ocr(images), ocr_repeat)
        t_one, ocr_pages = timed(ours_ocr(document, 1), ocr_repeat)
        t_two, _ = timed(ours_ocr(document, 2), ocr_repeat)
    n = len(ocr_pages)
    assert n == len(images), (n, len(images))
    print(f"scanned document ({' + '.join(s.name for s in SCANS)}): {n} pages at 300 dpi")
    print(f"  tesseract CLI, 1 process   {t_tess:7.3f} s  {t_tess / n:6.3f} s/page")
    print(f"  ours, 1 process            {t_one:7.3f} s  {t_one / n:6.3f} s/page  (rasterise+rotate+deskew+OCR)")
    print(f"  ours, 2 processes          {t_two:7.3f} s  {t_two / n:6.3f} s/page")
    print(f"  ratio ours(1)/tesseract = {t_one / t_tess:.2f}  (target <= 1.1)")
    print(f"  speed-up 2 vs 1 process = {t_one / t_two:.2f}x  (target >= 1.7 on 2 cores)")


if __name__ == "__main__":
    main()
