"""Entry point: ``extract(path, kind, ...)`` -> list[Page]."""

from __future__ import annotations

import logging
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from .detect import KINDS
from .errors import IngestError
from .models import Limits, Page
from .scheduler import Deadline
from .unreadable import whole_document_error

log = logging.getLogger(__name__)


def extract(
    path,
    kind: str,
    *,
    password: str | None = None,
    limits: Limits | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[Page]:
    """Extract pages from ``path`` of the given ``kind`` (see :func:`detect_kind`).

    ``progress(done, total, step)`` is called from the calling thread as pages finish. Raises IngestError.
    Run it through :func:`run_isolated` for untrusted files.
    """
    limits = limits or Limits()
    if kind not in KINDS:
        raise IngestError("unsupported")
    path = Path(path)
    previous_max_pixels = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = limits.max_page_pixels  # restored below: extract may run in-process in tests
    try:
        return _extract(path, kind, password, limits, progress)
    finally:
        Image.MAX_IMAGE_PIXELS = previous_max_pixels


def _extract(path: Path, kind: str, password: str | None, limits: Limits, progress) -> list[Page]:
    deadline = Deadline(limits.total_timeout_s)
    try:
        if kind == "pdf":
            from .pdf import extract_pdf

            pages = extract_pdf(path, password=password, limits=limits, reporter_cb=progress, deadline=deadline)
        elif kind == "image":
            from .images import extract_image

            pages = extract_image(path, limits=limits, reporter_cb=progress, deadline=deadline)
        elif kind == "pptx":
            from .office import extract_pptx

            pages = extract_pptx(path, limits=limits, reporter_cb=progress, deadline=deadline)
        elif kind == "docx":
            from .office import extract_docx

            pages = extract_docx(path, limits=limits, reporter_cb=progress, deadline=deadline)
        elif kind == "html":
            from .html import extract_html

            pages = extract_html(path, limits, reporter_cb=progress, deadline=deadline)
        elif kind == "transcript":
            from .transcripts import extract_transcript

            pages = _within_page_limit(extract_transcript(path), limits)
            if progress:
                progress(len(pages), len(pages), "Reading the transcript")
        elif kind == "audio":
            # A recording is transcribed by the transcription endpoint (smartnotes.ai), never decoded here.
            raise IngestError("unsupported", "A recording is transcribed, not read: use pages_from_segments.")
        else:
            from .text_formats import extract_markdown, extract_text

            if path.stat().st_size > 50 * 1024 * 1024:
                raise IngestError("too_much_memory", "This text file is too large to process.")
            pages = _within_page_limit(extract_markdown(path) if kind == "markdown" else extract_text(path), limits)
            if progress:
                progress(len(pages), len(pages), "Reading text")
    except IngestError:
        raise
    except MemoryError as exc:
        raise IngestError("too_much_memory") from exc
    except (
        RecursionError,
        OSError,
        ValueError,
        KeyError,
        IndexError,
        TypeError,
        AttributeError,
        EOFError,
        ArithmeticError,
        RuntimeError,
        LookupError,
        SyntaxError,  # lxml XMLSyntaxError
        zlib.error,
        zipfile.BadZipFile,
        struct.error,
        pdfium.PdfiumError,
    ) as exc:
        # A library choked on malformed input. Logged with traceback so real bugs stay visible.
        log.warning("extraction of %s (%s) failed", path.name, kind, exc_info=True)
        raise IngestError("corrupt") from exc
    failure = whole_document_error(pages)  # pages that could not be read are skipped, unless all are
    if failure is not None:
        raise failure
    if not any(p.text.strip() or p.notes.strip() for p in pages):
        raise IngestError("no_text")
    if kind in ("pptx", "docx", "markdown", "text", "html"):
        from .text_thumbnails import add_text_thumbnails

        add_text_thumbnails(pages, kind)
    return pages


def _within_page_limit(pages: list[Page], limits: Limits) -> list[Page]:
    if len(pages) > limits.max_pages:
        raise IngestError("too_many_pages", f"This document has {len(pages)} pages; the limit is {limits.max_pages}.")
    return pages
