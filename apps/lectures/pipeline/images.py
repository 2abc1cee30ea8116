"""Image uploads (PNG, JPEG, TIFF incl. multi-frame): one page per frame, OCR."""

from __future__ import annotations

import io
import math
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from . import unreadable
from .budget import fit_scale, may_decode, too_large_reason
from .errors import IngestError
from .figures import FigureCollector
from .models import Limits, Page
from .scheduler import Deadline, OcrQueue, ProgressReporter

THUMB_WIDTH = 640  # sharp in the citation side panel, still small as JPEG


def _thumbnail(img: Image.Image) -> bytes:
    thumb = img.copy()
    thumb.thumbnail((THUMB_WIDTH, THUMB_WIDTH * 2), Image.LANCZOS)
    buf = io.BytesIO()
    thumb.convert("RGB").save(buf, format="JPEG", quality=80)
    return buf.getvalue()


def _to_gray(frame: Image.Image) -> Image.Image:
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        frame = frame.convert("RGBA")
        background = Image.new("RGBA", frame.size, (255, 255, 255, 255))
        frame = Image.alpha_composite(background, frame)
    return frame.convert("L")


def _frame_dpi(frame: Image.Image) -> int | None:
    dpi = frame.info.get("dpi")
    try:
        value = int(round(float(dpi[0]))) if dpi else 0
    except (TypeError, ValueError, IndexError):
        value = 0
    return value if 70 <= value <= 1200 else None


def _bytes_per_pixel(img: Image.Image) -> int:
    return 1 if img.mode in ("1", "L", "P") else 4  # Pillow holds multi-band and 32-bit modes in 4 bytes


def _open(path, limits: Limits) -> tuple[Image.Image, int]:
    """Open lazily; Pillow's decompression-bomb check admits up to ``max_image_pixels`` here (the page budget
    elsewhere): such an image is decoded once and rendered smaller."""
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = max(previous or 0, limits.max_image_pixels)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(path)
            return img, getattr(img, "n_frames", 1)  # counting frames parses the file: errors surface here
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def _ocr_dpi(source_dpi: int | None, frame: Image.Image, source_pixels: int) -> int | None:
    """The resolution of the (possibly reduced) frame, as a hint for Tesseract when it is plausible."""
    if source_dpi is None:
        return None
    dpi = int(source_dpi * math.sqrt(frame.width * frame.height / max(1, source_pixels)))
    return dpi if dpi >= 70 else None


def _within_budget(frame: Image.Image, limits: Limits) -> Image.Image:
    w, h = frame.size
    scale = fit_scale(w, h, limits.max_page_pixels)
    if scale >= 1:
        return frame
    return frame.resize((max(1, int(w * scale)), max(1, int(h * scale))), Image.BOX)


def extract_image(path, *, limits: Limits, reporter_cb=None, deadline: Deadline | None = None) -> list[Page]:
    """One page per frame, in order; a frame that cannot be read is a placeholder with ``unreadable`` set."""
    deadline = deadline or Deadline(limits.total_timeout_s)
    try:
        img, n = _open(path, limits)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise IngestError("image_too_large", "This image is too large to process safely.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise IngestError(
            "corrupt", "This image is damaged or in an unsupported variant and could not be read."
        ) from exc
    if n > limits.max_pages:
        raise IngestError("too_many_pages", f"This image file has {n} pages; the limit is {limits.max_pages}.")
    reporter = ProgressReporter(n, reporter_cb)
    figures = FigureCollector()
    queue = OcrQueue(limits, deadline, reporter, figures)
    pages: list[Page] = []
    try:
        for i in range(n):
            deadline.check()
            try:
                img.seek(i)
                w, h = img.size
                if not may_decode(w * h, _bytes_per_pixel(img), limits):
                    if n == 1:
                        raise IngestError(
                            "image_too_large", f"This image is too large to process safely ({w} x {h} pixels)."
                        )
                    pages.append(unreadable.skipped(i + 1, "image_too_large", too_large_reason(w, h)))
                    reporter.step(f"Page {i + 1} could not be read and was skipped", finished_page=True)
                    continue
                scale = fit_scale(w, h, limits.max_page_pixels)
                if img.format == "JPEG" and scale < 1:  # decode at 1/2, 1/4 or 1/8 scale where that still fits
                    img.draft(img.mode, (max(1, int(w * scale)), max(1, int(h * scale))))
                source_dpi = _frame_dpi(img)
                frame = ImageOps.exif_transpose(img) if i == 0 else img.copy()
                frame.load()
                frame = _within_budget(frame, limits)
            except IngestError:
                raise
            except MemoryError:
                if n == 1:
                    raise
                pages.append(unreadable.skipped(i + 1, "too_much_memory", unreadable.OCR_REASONS["too_much_memory"]))
                reporter.step(f"Page {i + 1} could not be read and was skipped", finished_page=True)
                continue
            except (OSError, SyntaxError, ValueError, EOFError) as exc:
                if i == 0:
                    raise IngestError("corrupt", "This image is damaged and could not be read.") from exc
                pages.append(unreadable.skipped(i + 1, "corrupt", unreadable.DAMAGED_PAGE))
                reporter.step(f"Page {i + 1} could not be read and was skipped", finished_page=True)
                continue
            page = Page(number=i + 1, method="ocr", thumbnail=_thumbnail(frame))
            gray = np.ascontiguousarray(np.asarray(_to_gray(frame)))
            pages.append(page)
            queue.submit(page, gray, _ocr_dpi(source_dpi, frame, w * h))
        queue.finish()
    finally:
        queue.close()
        img.close()
    figures.assign(pages)
    return pages
