"""Ingestion speed against raw baselines timed in the same run.

Text-layer deck: our pipeline (isolated extraction + cleaning + chunking + embedding) vs `pdftotext` on the
whole file plus embedding the same chunks alone with sentence-transformers' plain `encode` (batches of 64, as
`ai.embed_texts` did before it sorted texts into token-budget batches). Two figures: time to ready (what the
student waits for: the chunks embedded) and time to fully indexed (plus the pieces, which the follow-up job
apps/lectures/piece_indexing.py embeds after the lecture is ready). Scanned pages: our OCR pipeline (rasterise at 300 dpi,
orientation, deskew, recognition) with one and with two processes vs the `tesseract` CLI page by page with
OMP_THREAD_LIMIT=1 on page images rasterised beforehand (rasterising is not charged to the baseline).

Prints pages/second and ratios; exits 0 whatever the figures (targets are reported, not enforced).
Usage: .venv/bin/python bench/ingest.py [--repeat N] [--text-only]
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


def timed_together(fns: dict, repeat: int) -> dict:
    """Median seconds of each function, run in turns (one round = each once), so that load from other processes
    on a shared machine weighs on ours and on the baseline alike."""
    times = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def ours_ready():
    """Until the lecture is ready: as apps/lectures/ingest.py, each chunk embedded under its title."""
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
    ai.embed_texts([embedding_text(d.title, d.text) for d in drafts])
    return pages, drafts


def ours_pieces(drafts):
    """The follow-up job's embedding work (apps/lectures/piece_indexing.py: one call, each distinct text once)."""
    return lambda: ai.embed_texts(list(dict.fromkeys(text for d in drafts for text in piece_texts(d.title, d.text))))


def plain_encode(texts):
    from smartnotes.ai.embeddings import _load_local_model

    model = _load_local_model(ai.get_settings())
    model.encode(texts, batch_size=64, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False)


def baseline_text(texts, embed=plain_encode):
    def run():
        subprocess.run(["pdftotext", "-layout", str(TEXT_DECK), "-"], check=True, capture_output=True)
        embed(texts)

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
    parser.add_argument("--text-only", action="store_true", help="the text-layer deck only, no OCR")
    args = parser.parse_args()
    if not FIXTURES.is_dir():
        sys.exit(f"fixtures folder {FIXTURES} not found (set SMARTNOTES_FIXTURES)")
    ai.warm_up()

    print(f"# Ingestion benchmark ({os.cpu_count()} CPUs, median of {args.repeat})")
    pages, drafts = ours_ready()  # also the warm-up of every path
    texts = [d.text for d in drafts]
    t = timed_together(
        {
            "ready": ours_ready,
            "pieces": ours_pieces(drafts),
            "base": baseline_text(texts),
            "base_ours": baseline_text(texts, embed=ai.embed_texts),
        },
        args.repeat,
    )
    t_ready, t_pieces, t_base, t_base_ours = t["ready"], t["pieces"], t["base"], t["base_ours"]
    t_full = t_ready + t_pieces
    n = len(pages)
    n_pieces = sum(len(piece_texts(d.title, d.text)) for d in drafts)
    print(f"text-layer deck {TEXT_DECK.name}: {n} pages, {len(drafts)} chunks, {n_pieces} pieces")
    print(f"  ours, ready     {t_ready:7.3f} s  {n / t_ready:7.1f} pages/s  (extract+clean+chunk+embed chunks)")
    print(f"  ours, indexed   {t_full:7.3f} s  {n / t_full:7.1f} pages/s  (+ the pieces job: {t_pieces:.3f} s)")
    print(f"  baseline        {t_base:7.3f} s  {n / t_base:7.1f} pages/s  (pdftotext + plain encode of the chunks)")
    print(f"  ratio ready/baseline   = {t_ready / t_base:.2f}  (target <= 1.5; what the student waits for)")
    print(f"  ratio indexed/baseline = {t_full / t_base:.2f}  (pieces included)")
    print(
        f"  against a baseline embedding with ai.embed_texts' batching too ({t_base_ours:.3f} s): "
        f"ready {t_ready / t_base_ours:.2f}, indexed {t_full / t_base_ours:.2f}"
    )

    if args.text_only:
        return
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
