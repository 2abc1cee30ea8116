"""PDFs built in the tests: text pages from reportlab, scanned pages as image XObjects written with pikepdf
(a JPEG stream embedded as it is, like a scanner's PDF), so a page can hold a huge or a damaged image."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
from PIL import Image, ImageDraw, ImageFont
from reportlab.pdfgen import canvas

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

# one distinct topic per page, so a search can tell the pages apart
TEXT_PAGES = {
    1: ("Cell biology overview", "Cells are the basic unit of life; this lecture surveys their organelles."),
    3: ("Mitochondria", "Mitochondria produce adenosine triphosphate through cellular respiration."),
    4: ("Ribosomes", "Ribosomes translate messenger RNA into chains of amino acids."),
    5: ("Golgi apparatus", "The Golgi apparatus packages proteins into vesicles for secretion."),
    6: ("Lysosomes", "Lysosomes digest worn out organelles with hydrolytic enzymes."),
}
SCAN_LINES = ["Photosynthesis converts light", "energy into chemical energy", "inside the chloroplast"]


def text_image(side: int) -> Image.Image:
    """A white square with three lines of large black text (about 1/30 of the side high)."""
    img = Image.new("L", (side, side), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, side // 30)
    for k, line in enumerate(SCAN_LINES):
        draw.text((side // 12, side // 6 + k * side // 12), line, fill=0, font=font)
    return img


def jpeg_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=85)
    return buf.getvalue()


def _text_page_pdf(title: str, body: str) -> pikepdf.Pdf:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(612, 792))
    c.setFont("Helvetica-Bold", 24)
    c.drawString(72, 700, title)
    c.setFont("Helvetica", 13)
    c.drawString(72, 660, body)
    c.save()
    buf.seek(0)
    return pikepdf.open(buf)


def _add_image_page(pdf: pikepdf.Pdf, data: bytes, width: int, height: int, page_pt: float) -> None:
    stream = pikepdf.Stream(pdf, data)
    stream.Type = pikepdf.Name.XObject
    stream.Subtype = pikepdf.Name.Image
    stream.Filter = pikepdf.Name.DCTDecode
    stream.Width, stream.Height = width, height
    stream.ColorSpace = pikepdf.Name.DeviceGray
    stream.BitsPerComponent = 8
    page = pdf.add_blank_page(page_size=(page_pt, page_pt * height / width))
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=stream))
    page.Contents = pdf.make_stream(f"q {page_pt} 0 0 {page_pt * height / width} 0 0 cm /Im0 Do Q".encode())


def six_page_pdf(path: Path, scan_page: int = 2, scan: bytes | None = None, side: int = 9000) -> Path:
    """Pages 1-6: text pages, except ``scan_page``, a ``side`` x ``side`` scan at 300 dpi. ``scan`` replaces
    the scan's JPEG stream (e.g. with damaged bytes)."""
    out = pikepdf.new()
    topics = dict(TEXT_PAGES)
    if scan_page != 2:  # keep six distinct topics: page 2's topic moves to the page the scan replaces
        topics[2] = topics.pop(scan_page)
    for number in range(1, 7):
        if number == scan_page:
            data = scan if scan is not None else jpeg_bytes(text_image(side))
            _add_image_page(out, data, side, side, side * 72 / 300)
        else:
            with _text_page_pdf(*topics[number]) as single:
                out.pages.append(single.pages[0])
    out.save(path)
    return path


def single_image_pdf(path: Path, side: int = 9000, dpi: float = 72) -> Path:
    """One page holding one ``side`` x ``side`` scan (at 72 dpi the page is ``side`` points wide)."""
    out = pikepdf.new()
    _add_image_page(out, jpeg_bytes(text_image(side)), side, side, side * 72 / dpi)
    out.save(path)
    return path


def damaged_jpeg(size: int = 6000) -> bytes:
    """Bytes declared as a JPEG stream that no decoder can read."""
    return bytes((i * 7919) % 251 for i in range(size))
