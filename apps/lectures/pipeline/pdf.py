"""PDF extraction with pypdfium2: text layer when usable, OCR otherwise, embedded figures, thumbnails."""

from __future__ import annotations

import ctypes
import io
import logging
import math
import re
import statistics
import unicodedata

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from . import unreadable
from .budget import fit_scale, may_decode, too_large_reason
from .errors import IngestError
from .figures import FigureCollector
from .models import Block, Limits, Page, Unreadable
from .pdf_spacing import looks_letter_spaced, read_glyphs, respace
from .scheduler import Deadline, OcrQueue, ProgressReporter

log = logging.getLogger(__name__)

# A page so large that the pixel budget allows less than this is not rasterised (a poster of several metres).
# Above it, a large page is rendered smaller: what matters for OCR is the size of its text in pixels.
MIN_DPI = 20
OCR_DPI_HINT_MIN = 70  # Tesseract rejects lower resolutions; without a hint it estimates one from the text
# Decoders that hold the whole image (and more: OpenJPEG uses 4 bytes per sample) instead of streaming rows
FULL_DECODE_FILTERS = {"JPXDecode", "JBIG2Decode"}
THUMB_WIDTH = 640  # sharp in the citation side panel, still small as JPEG
THUMB_MAX_PIXELS = 640 * 920

# Bullets as they appear in text layers, incl. Symbol/Wingdings private-use code points from Office exports
PDF_BULLETS = set("•●▪■◦‣∙·○►▸➢➤✓✔-–—*") | {
    chr(c) for c in (0xF0B7, 0xF0A7, 0xF076, 0xF0D8, 0xF0FC, 0xF06E, 0xF0A8, 0xF071, 0xF0E0, 0xF0D9, 0xF075)
}
_NUMBERED = re.compile(r"^(\(?\d{1,3}[.)]|[a-z][.)])\s")
_VOWELS = set("aeiouyAEIOUY")


# ------------------------------------------------------------------------------------------- opening
def open_pdf(path, password: str | None) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(str(path), password=password)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        msg = str(exc).lower()
        if code == pdfium_c.FPDF_ERR_PASSWORD or "password" in msg:
            if password:
                raise IngestError("wrong_password") from exc
            raise IngestError("encrypted") from exc
        if code == pdfium_c.FPDF_ERR_SECURITY or "security" in msg:
            raise IngestError(
                "encrypted",
                "This PDF uses an encryption method that is not supported. "
                "Save an unprotected copy and upload that instead.",
            ) from exc
        raise IngestError(
            "corrupt",
            "This PDF is damaged or incomplete and could not be opened. Try downloading or exporting it again.",
        ) from exc


# --------------------------------------------------------------------------------------- text layer
def text_is_usable(text: str) -> bool:
    """False for text layers that are garbage (fonts without Unicode mapping) or effectively empty."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return False
    bad = alnum = 0
    for c in chars:
        cat = unicodedata.category(c)
        if c in PDF_BULLETS:
            continue
        if cat in ("Cc", "Co", "Cn", "Cs") or c == "\ufffd":
            bad += 1
        elif cat[0] in "LN":
            alnum += 1
    if bad > 0.1 * len(chars):
        return False
    if alnum < 0.3 * len(chars):
        return False
    # Wrong glyph->letter mappings give "words" without vowels; test ASCII words only (language-neutral
    # enough for Latin scripts, skipped for others).
    words = [w for w in re.findall(r"[A-Za-z]{3,}", text)]
    if len(words) >= 10:
        with_vowel = sum(1 for w in words if any(ch in _VOWELS for ch in w))
        if with_vowel < 0.5 * len(words):
            return False
    return True


class _Line:
    __slots__ = ("chars", "sizes", "top", "bottom", "left", "start", "spaces")

    def __init__(self, start: int = 0):
        self.start = start  # text-page index of the line's first character
        self.spaces: list[int] = []  # text-page indices of the " " characters
        self.chars: list[str] = []
        self.sizes: list[float] = []
        self.top = -math.inf
        self.bottom = math.inf
        self.left = math.inf

    @property
    def text(self) -> str:
        return "".join(self.chars).strip()

    @property
    def size(self) -> float:
        return statistics.median(self.sizes) if self.sizes else 0.0


def _read_lines(textpage: pdfium.PdfTextPage) -> list[_Line]:
    n = textpage.count_chars()
    lines: list[_Line] = []
    cur = _Line()
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    raw = textpage.raw
    pending_high = 0
    for i in range(n):
        u = pdfium_c.FPDFText_GetUnicode(raw, i)
        if 0xD800 <= u < 0xDC00:
            pending_high = u
            continue
        if 0xDC00 <= u < 0xE000 and pending_high:
            u = 0x10000 + ((pending_high - 0xD800) << 10) + (u - 0xDC00)
        pending_high = 0
        ch = chr(u) if u else ""
        if ch == "\n":
            if len(cur.spaces) >= 2:
                _respace_line(raw, cur, i)
            lines.append(cur)
            cur = _Line(i + 1)
            continue
        if ch == "\r" or not ch:
            continue
        cur.chars.append(ch)
        if ch.isspace():
            if ch == " ":
                cur.spaces.append(i)
            continue
        if pdfium_c.FPDFText_IsGenerated(raw, i) == 1:
            continue
        size = pdfium_c.FPDFText_GetFontSize(raw, i)
        if size > 0:
            cur.sizes.append(size)
        if pdfium_c.FPDFText_GetCharBox(raw, i, left, right, bottom, top):
            cur.top = max(cur.top, top.value)
            cur.bottom = min(cur.bottom, bottom.value)
            cur.left = min(cur.left, left.value)
    if len(cur.spaces) >= 2:
        _respace_line(raw, cur, n)
    lines.append(cur)
    return [ln for ln in lines if ln.text]


def _respace_line(raw, line: _Line, end: int) -> None:
    """Re-space a letter-spaced line (code listing, typewriter text) from its character boxes.

    Such lines have a space every two or three glyphs, most of them generated by pdfium; only those are
    looked at again (prose has about one space per five glyphs)."""
    spaces = line.spaces
    if 7 * len(spaces) < 2 * (len(line.chars) - len(spaces)):
        return
    positions = [k for k, c in enumerate(line.chars) if c == " "]
    generated = [k for k, i in zip(positions, spaces, strict=True) if pdfium_c.FPDFText_IsGenerated(raw, i) == 1]
    if generated and looks_letter_spaced(line.chars, generated):
        chars = respace(read_glyphs(raw, line.start, end))
        if chars is not None:
            line.chars = chars


def _clean_line(text: str) -> str:
    text = "".join(("•" if c in PDF_BULLETS and unicodedata.category(c) == "Co" else c) for c in text)
    return re.sub(r"[ \t]+", " ", text).strip()


def text_layer_blocks(lines: list[_Line]) -> list[Block]:
    """Group text-layer lines into heading / list / text blocks using font sizes and geometry."""
    if not lines:
        return []
    weighted = []
    for ln in lines:
        weighted.extend([round(ln.size, 1)] * max(1, len(ln.chars)))
    body = statistics.median(weighted) if weighted else 0.0
    max_size = max((ln.size for ln in lines), default=0.0)

    blocks: list[Block] = []
    kind = None
    buf: list[str] = []
    prev: _Line | None = None
    list_left = math.inf

    def flush():
        nonlocal buf, kind
        if buf:
            sep = " " if kind == "heading" else "\n"
            blocks.append(Block(sep.join(buf), kind))
        buf, kind = [], None

    for ln in lines:
        text = _clean_line(ln.text)
        if not text:
            continue
        first = text[0]
        is_bullet = (
            (first in PDF_BULLETS and (len(text) == 1 or text[1] in " \t\u00a0"))
            or (first in "•●▪■◦‣►▸➢➤✓✔")
            or bool(_NUMBERED.match(text))
        )
        # headings: clearly larger than body text, short, made of words (not big diagram labels/numbers)
        big = (
            body > 0
            and ln.size >= 1.15 * body
            and ln.size >= 0.6 * max_size
            and len(text.split()) <= 20
            and re.search(r"[^\W\d_]{3,}", text) is not None
        )
        height = (ln.top - ln.bottom) if ln.top > ln.bottom else ln.size
        gap = (prev.bottom - ln.top) if prev is not None and prev.top > -math.inf and ln.top > -math.inf else 0
        same_size = prev is not None and prev.size > 0 and abs(ln.size - prev.size) <= 0.15 * prev.size
        far = gap > 1.0 * max(height, 1.0) or gap < -3 * max(height, 1.0)

        if big:
            if kind != "heading" or not same_size or far:
                flush()
            kind = "heading"
            buf.append(text)
        elif is_bullet:
            if kind != "list":
                flush()
                kind = "list"
            list_left = ln.left
            buf.append(text)
        elif kind == "list" and same_size and not far and ln.left > list_left + 0.5:
            buf.append(text)  # continuation of the previous item (indented past its bullet)
        else:
            if kind != "text" or not same_size or far:
                flush()
                kind = "text"
            buf.append(text)
        prev = ln
    flush()
    return blocks


# ------------------------------------------------------------------------------------------ geometry
def page_pixels(width_pt: float, height_pt: float, dpi: float) -> float:
    return (width_pt / 72 * dpi) * (height_pt / 72 * dpi)


def choose_dpi(width_pt: float, height_pt: float, limits: Limits) -> int:
    """The highest rendering DPI (at most ``limits.dpi``) whose raster fits ``max_page_pixels``: a large page
    is rendered smaller, not refused; image_too_large only under ``MIN_DPI``."""
    if width_pt <= 0 or height_pt <= 0:
        raise IngestError("corrupt", "A page of this PDF has no valid size.")
    dpi = int(limits.dpi)
    if page_pixels(width_pt, height_pt, dpi) <= limits.max_page_pixels:
        return dpi
    best = int(dpi * fit_scale(width_pt / 72 * dpi, height_pt / 72 * dpi, limits.max_page_pixels))
    if best >= min(MIN_DPI, dpi):
        return best
    raise IngestError(
        "image_too_large",
        f"A page of this PDF is too large to read safely ({width_pt / 72:.0f} x {height_pt / 72:.0f} inches).",
    )


# ---------------------------------------------------------------------------------------- page images
def _image_objects(page: pdfium.PdfPage):
    try:
        return list(page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=4))
    except pdfium.PdfiumError:
        return []


def _image_info(obj) -> tuple[int, int, float]:
    """(px width, px height, fraction of page area covered); (0, 0, 0) when unknown."""
    try:
        w, h = obj.get_px_size()
    except pdfium.PdfiumError:
        return 0, 0, 0.0
    return w, h, 0.0


def _filters(obj) -> list[str]:
    try:
        return [str(f).lstrip("/") for f in obj.get_filters()]
    except pdfium.PdfiumError:
        return []


def _may_render(obj, w: int, h: int, limits: Limits) -> bool:
    """Whether drawing the page may decode this image (read from the image dictionary, nothing decoded)."""
    if w * h <= limits.max_page_pixels:
        return True
    if FULL_DECODE_FILTERS.intersection(_filters(obj)):
        return False
    return may_decode(w * h, 4, limits)  # at most 4 bytes per pixel held (pdfium keeps 1-bit images packed)


def _decodes(obj) -> bool:
    """False for an image whose data pdfium cannot even start to decode (a damaged JPEG or JPEG 2000 stream);
    only called for images within the limits (for JPEG 2000 this decodes the image)."""
    try:
        return obj.get_metadata().bits_per_pixel > 0
    except pdfium.PdfiumError:
        return False


def _covered_fraction(obj, page_w: float, page_h: float) -> float:
    try:
        left, bottom, right, top = obj.get_bounds()
    except pdfium.PdfiumError:
        return 0.0
    area = max(0.0, right - left) * max(0.0, top - bottom)
    return min(1.0, area / max(1.0, page_w * page_h))


def _extract_image(obj, limits: Limits) -> Image.Image | None:
    w, h, _ = _image_info(obj)
    if w * h <= 0 or w * h > limits.max_page_pixels:
        return None  # unknown or oversized: never decode
    try:
        bitmap = obj.get_bitmap(render=False)
        pil = bitmap.to_pil()
    except Exception:  # noqa: BLE001 - undecodable image data (unsupported filter, broken stream)
        return None
    if pil.mode in ("RGBX", "BGRX"):
        pil = pil.convert("RGB")
    return pil


def render_thumbnail(page: pdfium.PdfPage, width_pt: float, height_pt: float) -> bytes | None:
    try:
        scale = THUMB_WIDTH / max(1.0, width_pt)
        if (width_pt * scale) * (height_pt * scale) > THUMB_MAX_PIXELS:
            scale = math.sqrt(THUMB_MAX_PIXELS / max(1.0, width_pt * height_pt))
        bitmap = page.render(scale=scale, may_draw_forms=False)
        img = bitmap.to_pil().convert("RGB")
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=80, optimize=True)
        return buf.getvalue()
    except Exception:  # noqa: BLE001 - a thumbnail is optional
        return None


def render_gray(page: pdfium.PdfPage, dpi: int) -> np.ndarray:
    bitmap = page.render(scale=dpi / 72, grayscale=True, may_draw_forms=True)
    arr = bitmap.to_numpy()
    if arr.ndim == 3:
        arr = arr[:, :, 0]
    return np.ascontiguousarray(arr)


# -------------------------------------------------------------------------------------------- extract
def extract_pdf(
    path, *, password: str | None, limits: Limits, reporter_cb=None, deadline: Deadline | None = None
) -> list[Page]:
    """All pages in order; a page that cannot be read is a placeholder with ``unreadable`` set."""
    deadline = deadline or Deadline(limits.total_timeout_s)
    pdf = open_pdf(path, password)
    try:
        n = len(pdf)
        if n <= 0:
            raise IngestError("corrupt", "This PDF has no readable pages.")
        if n > limits.max_pages:
            raise IngestError(
                "too_many_pages",
                f"This PDF has {n} pages; the limit is {limits.max_pages}. Split it and upload the parts separately.",
            )
        reporter = ProgressReporter(n, reporter_cb)
        figures = FigureCollector()
        queue = OcrQueue(limits, deadline, reporter, figures)
        pages: list[Page] = []
        damaged_scans: set[int] = set()
        try:
            for i in range(n):
                deadline.check()
                result = _read_page(pdf, i + 1, limits, queue, figures, reporter, damaged_scans)
                if result.unreadable is not None:
                    reporter.step(f"Page {i + 1} could not be read and was skipped", finished_page=True)
                pages.append(result)
            queue.finish()
        finally:
            queue.close()
        for page in pages:
            # a scan whose image pdfium could not decode renders blank: unreadable unless OCR found text anyway
            if page.number in damaged_scans and page.unreadable is None and not page.text.strip():
                page.unreadable = Unreadable("corrupt", unreadable.DAMAGED_SCAN)
        reporter.step("Extracting figures")
        figures.assign(pages)
        return pages
    finally:
        pdf.close()


def _read_page(
    pdf: pdfium.PdfDocument,
    number: int,
    limits: Limits,
    queue: OcrQueue,
    figures: FigureCollector,
    reporter: ProgressReporter,
    damaged_scans: set[int],
) -> Page:
    """One page, or its placeholder when it cannot be read; a timeout of the whole document propagates."""
    try:
        page = pdf[number - 1]
    except pdfium.PdfiumError:
        return unreadable.skipped(number, "corrupt", unreadable.DAMAGED_PAGE)
    try:
        return _process_page(page, number, limits, queue, figures, reporter, damaged_scans)
    except MemoryError:
        return unreadable.skipped(number, "too_much_memory", unreadable.OCR_REASONS["too_much_memory"])
    except (pdfium.PdfiumError, ValueError, OSError):
        log.warning("page %d could not be drawn", number, exc_info=True)
        return unreadable.skipped(number, "corrupt", unreadable.CANNOT_DRAW)
    finally:
        page.close()


def _process_page(
    page: pdfium.PdfPage,
    number: int,
    limits: Limits,
    queue: OcrQueue,
    figures: FigureCollector,
    reporter: ProgressReporter,
    damaged_scans: set[int],
) -> Page:
    width_pt, height_pt = page.get_size()
    if not (width_pt > 0 and height_pt > 0) or not math.isfinite(width_pt * height_pt):
        return unreadable.skipped(number, "corrupt", unreadable.NO_VALID_SIZE)
    images = _image_objects(page)
    refused: tuple[int, int] | None = None  # an image that must never be decoded (decompression bomb)
    scans = []  # images covering most of the page
    for obj in images:
        w, h, _ = _image_info(obj)
        if not _may_render(obj, w, h, limits):
            refused = refused or (w, h)
        elif _covered_fraction(obj, width_pt, height_pt) >= 0.5:
            scans.append(obj)

    textpage = page.get_textpage()
    try:
        lines = _read_lines(textpage)
    finally:
        textpage.close()
    raw_text = "\n".join(ln.text for ln in lines)
    usable = text_is_usable(raw_text)
    alnum = sum(1 for c in raw_text if c.isalnum())
    if usable and alnum < 20 and scans:
        usable = False  # a page number or caption over a scanned image: read the image

    out = Page(number=number, method="text")
    if refused is None:  # rendering even a thumbnail would decode the refused image
        out.thumbnail = render_thumbnail(page, width_pt, height_pt)

    if usable:
        out.blocks = text_layer_blocks(lines)
        reporter.step(f"Reading text layer (page {number} of {reporter.total})", finished_page=True)
    else:
        if refused is not None:
            out.unreadable = Unreadable("image_too_large", too_large_reason(*refused))
            return out
        try:
            dpi = choose_dpi(width_pt, height_pt, limits)
        except IngestError as exc:
            reason = f"the page is too large to read ({width_pt / 72:,.0f} × {height_pt / 72:,.0f} inches)."
            out.unreadable = Unreadable(exc.code, reason)
            return out
        if scans and not all(_decodes(obj) for obj in scans):
            damaged_scans.add(number)
        reporter.step(f"Rendering page {number} of {reporter.total} for OCR")
        gray = render_gray(page, dpi)
        queue.submit(out, gray, dpi if dpi >= OCR_DPI_HINT_MIN else None)

    for obj in images:
        if not usable and _covered_fraction(obj, width_pt, height_pt) >= 0.5:
            continue  # the scan itself is not a figure (and is not decoded a second time)
        img = _extract_image(obj, limits)
        if img is not None:
            figures.add_image(number, img)
    return out
