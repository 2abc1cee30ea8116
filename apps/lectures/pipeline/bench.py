"""Benchmark/accuracy report for the extraction pipeline (not used by the app).

python -m apps.lectures.pipeline.bench [fixtures_dir]
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

from . import Limits, extract
from .metrics import cer


def _fixtures() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    repo = Path(__file__).resolve().parents[3]
    return Path(os.environ.get("SMARTNOTES_FIXTURES", repo.parent / "shared" / "fixtures"))


def main() -> None:
    fx = _fixtures()
    print(f"load average before: {os.getloadavg()}")
    total_pages, t0 = 0, time.perf_counter()
    for rel in (
        "lectures/py4e_Pythonlearn-02-Expressions.pdf",
        "lectures/scicomp_lectures_tut_2018_5.pdf",
        "lectures/grobol_xml-slides.pdf",
    ):
        t = time.perf_counter()
        pages = extract(fx / rel, "pdf")
        total_pages += len(pages)
        print(f"text layer {rel}: {len(pages)} pages in {time.perf_counter() - t:.2f}s")
    print(f"text layer overall: {total_pages / (time.perf_counter() - t0):.0f} pages/s (incl. thumbnails, figures)")

    linn = (fx / "scans/ocrmypdf_linn.txt").read_text()
    cases = [
        ("scans/tess_phototest.pdf", "pdf", "scans/tess_phototest.txt"),
        ("scans/tess_eurotext.tif", "image", "scans/tess_eurotext.txt"),
        ("scans/tess_8087_054.3B.pdf", "pdf", "scans/tess_8087_054.3B.txt"),
        ("scans/ocrmypdf_linn.pdf", "pdf", "scans/ocrmypdf_linn.txt"),
        ("scans/ocrmypdf_skew.pdf", "pdf", "scans/ocrmypdf_linn.txt"),
    ]
    for rel, kind, truth in cases:
        t = time.perf_counter()
        page = extract(fx / rel, kind)[0]
        print(
            f"CER {rel}: {cer(page.text, (fx / truth).read_text()):.4f}  conf {page.confidence}  "
            f"{time.perf_counter() - t:.2f}s"
        )
    for workers in (1, 2):
        t = time.perf_counter()
        cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        self0 = resource.getrusage(resource.RUSAGE_SELF)
        pages = extract(fx / "scans/ocrmypdf_cardinal.pdf", "pdf", limits=Limits(ocr_processes=workers))
        dt = time.perf_counter() - t
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        self1 = resource.getrusage(resource.RUSAGE_SELF)
        tess_cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
        py_cpu = (self1.ru_utime + self1.ru_stime) - (self0.ru_utime + self0.ru_stime)
        cers = ", ".join(f"{cer(p.text, linn):.4f}" for p in pages)
        print(
            f"OCR cardinal (4 dense letter pages, 300 dpi) with {workers} worker(s): {dt:.1f}s wall = "
            f"{dt / len(pages):.2f} s/page; CPU per page: tesseract {tess_cpu / len(pages):.2f}s + "
            f"python {py_cpu / len(pages):.2f}s; CER per page: {cers}"
        )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
