"""Runs page OCR jobs on a small thread pool (each job drives one Tesseract subprocess) with a bounded
number of rendered pages in memory, a per-page and a total deadline, and progress reporting from the
calling thread only (the progress callback may touch a database connection)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

import numpy as np
from PIL import Image

from .errors import IngestError
from .figures import FigureCollector
from .models import Limits, Page, Unreadable
from .ocr import OcrResult, ocr_image
from .unreadable import OCR_REASONS

Progress = Callable[[int, int, str], None]


class Deadline:
    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def check(self) -> None:
        if self.remaining() <= 0:
            raise IngestError("timeout", "Processing this document took too long and was stopped.")


class ProgressReporter:
    def __init__(self, total: int, callback: Progress | None):
        self.total = total
        self.done = 0
        self.callback = callback

    def step(self, message: str, finished_page: bool = False) -> None:
        if finished_page:
            self.done += 1
        if self.callback is not None:
            self.callback(self.done, self.total, message)


def _ocr_job(gray: np.ndarray, dpi: int | None, timeout_s: float, find_pictures: bool):
    result, recognised = ocr_image(gray, dpi=dpi, timeout_s=timeout_s, find_pictures=find_pictures)
    crops = []
    for left, top, w, h in result.picture_boxes:
        crops.append(Image.fromarray(np.ascontiguousarray(recognised[top : top + h, left : left + w])))
    return result, crops


class OcrQueue:
    def __init__(
        self,
        limits: Limits,
        deadline: Deadline,
        reporter: ProgressReporter,
        figures: FigureCollector,
        find_pictures: bool = True,
    ):
        self.limits = limits
        self.deadline = deadline
        self.reporter = reporter
        self.figures = figures
        self.find_pictures = find_pictures
        self.workers = max(1, int(limits.ocr_processes))
        self.pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="smartnotes-ocr")
        self.pending: deque[tuple[Page, Future, bool]] = deque()  # (page, job, page deadline was cut short)

    def submit(self, page: Page, gray: np.ndarray, dpi: int | None) -> None:
        # keep at most 2 rendered pages per worker in memory
        while len(self.pending) >= 2 * self.workers:
            self._collect_one()
        self.deadline.check()
        timeout = max(1.0, min(self.limits.page_timeout_s, self.deadline.remaining()))
        fut = self.pool.submit(_ocr_job, gray, dpi, timeout, self.find_pictures)
        self.pending.append((page, fut, timeout < self.limits.page_timeout_s))

    def _collect_one(self) -> None:
        page, fut, cut_short = self.pending[0]
        remaining = self.deadline.remaining()
        done, _ = wait([fut], timeout=max(0.0, remaining) + 5, return_when=FIRST_COMPLETED)
        if not done:
            raise IngestError("timeout", "Processing this document took too long and was stopped.")
        self.pending.popleft()
        try:
            result, crops = fut.result()
        except IngestError as exc:
            if exc.code == "timeout" and cut_short:  # the document's deadline, not this page's, ran out
                raise IngestError("timeout", "Processing this document took too long and was stopped.") from exc
            # one page Tesseract could not read in its time or memory: skip it, read the rest
            page.unreadable = Unreadable(exc.code, OCR_REASONS.get(exc.code, "its text could not be recognised."))
            self.reporter.step(f"Page {page.number} could not be read and was skipped", finished_page=True)
            return
        self._apply(page, result, crops)
        self.reporter.step(f"OCR page {page.number} of {self.reporter.total}", finished_page=True)

    def _apply(self, page: Page, result: OcrResult, crops: list[Image.Image]) -> None:
        page.blocks = result.blocks
        page.confidence = result.confidence
        page.method = "ocr"
        for crop in crops:
            self.figures.add_image(page.number, crop)

    def finish(self) -> None:
        try:
            while self.pending:
                self._collect_one()
        finally:
            self.close()

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
