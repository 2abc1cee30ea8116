"""Image uploads (PNG, JPEG, TIFF incl. multi-frame): one page per frame, OCR."""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

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


def extract_image(path, *, limits: Limits, reporter_cb=None, deadline: Deadline | None = None) -> list[Page]:
    deadline = deadline or Deadline(limits.total_timeout_s)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(path)
            n = getattr(img, "n_frames", 1)
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
                if w * h > limits.max_page_pixels:
                    raise IngestError(
                        "image_too_large", f"This image is too large to process safely ({w} x {h} pixels)."
                    )
                frame = ImageOps.exif_transpose(img) if i == 0 else img.copy()
                frame.load()
            except IngestError:
                raise
            except (OSError, SyntaxError, ValueError, EOFError) as exc:
                if i == 0:
                    raise IngestError("corrupt", "This image is damaged and could not be read.") from exc
                reporter.step(f"Page {i + 1} could not be read and was skipped", finished_page=True)
                continue
            page = Page(number=i + 1, method="ocr", thumbnail=_thumbnail(frame))
            gray = np.ascontiguousarray(np.asarray(_to_gray(frame)))
            pages.append(page)
            queue.submit(page, gray, _frame_dpi(frame))
        queue.finish()
    finally:
        queue.close()
        img.close()
    figures.assign(pages)
    return pages
