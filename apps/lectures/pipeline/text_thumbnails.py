"""Thumbnails for pages that have no renderer here (PPTX, DOCX, Markdown, text): a small card that shows the
page's heading and first lines in the page's shape (16:9 for slides, A4 for documents). Not a picture of
the original layout, but it lets a citation open a recognisable page view for every format."""

from __future__ import annotations

import io
import textwrap

from PIL import Image, ImageDraw, ImageFont

from .models import Page

WIDTH = 320
SHAPES = {"slide": (WIDTH, WIDTH * 9 // 16), "document": (WIDTH, int(WIDTH * 1.414))}
BULLETS = "•◦▪‣–-*·● \t"
_fonts: dict[int, ImageFont.ImageFont] = {}


def _font(size: int):
    if size not in _fonts:
        _fonts[size] = ImageFont.load_default(size=size)  # Pillow's bundled font: no system fonts needed
    return _fonts[size]


def render_text_thumbnail(page: Page, shape: str) -> bytes:
    width, height = SHAPES[shape]
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, width - 1, height - 1], outline=(214, 219, 230))
    margin, y = 14, 12
    heading = next((b.text for b in page.blocks if b.kind == "heading" and b.text.strip()), "")
    body = [b for b in page.blocks if b.text.strip() and b.text != heading]
    if heading:
        for line in textwrap.wrap(" ".join(heading.split()), width=26)[:2]:
            draw.text((margin, y), line, fill=(30, 41, 82), font=_font(17))
            y += 22
        y += 6
    for block in body:
        for raw in block.text.splitlines():
            text = " ".join(raw.split()).lstrip(BULLETS).strip()
            if not text:
                continue
            prefix = "- " if block.kind == "list" or raw.lstrip()[:1] in BULLETS else ""
            for line in textwrap.wrap(prefix + text, width=44)[:3]:
                if y > height - 20:
                    break
                draw.text((margin, y), line, fill=(71, 85, 105), font=_font(11))
                y += 15
        if y > height - 20:
            break
    draw.text((width - margin - 24, height - 18), str(page.number), fill=(148, 163, 184), font=_font(10))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def add_text_thumbnails(pages: list[Page], kind: str) -> None:
    shape = "slide" if kind == "pptx" else "document"
    for page in pages:
        if page.thumbnail is None:
            page.thumbnail = render_text_thumbnail(page, shape)
