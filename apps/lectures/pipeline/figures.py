"""Shared figure handling: size filters, repeated-logo removal, PNG encoding."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image

from .models import Figure, Page

MIN_SIDE = 64  # px: smaller images are bullets, icons, decorations
MIN_AREA = 4096  # px
MAX_ASPECT = 15  # thinner than this is a rule/line, not a figure
MAX_STORED_SIDE = 2048  # larger figures are downscaled before PNG encoding
LOGO_MIN_PAGES = 3  # an image must repeat on at least this many pages (and >= half of them) to be a logo


def is_worth_keeping(width: int, height: int) -> bool:
    if width < MIN_SIDE or height < MIN_SIDE or width * height < MIN_AREA:
        return False
    return max(width, height) / max(1, min(width, height)) <= MAX_ASPECT


def image_hash(image: Image.Image) -> str:
    """Identical-content hash (independent of container/compression): size + pixels."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{image.mode}:{image.size}".encode())
    h.update(image.tobytes())
    return h.hexdigest()


def to_png(image: Image.Image) -> tuple[bytes, int, int]:
    if image.mode not in ("RGB", "RGBA", "L", "LA", "1", "P"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    if max(image.size) > MAX_STORED_SIDE:
        image = image.copy()
        image.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE), Image.LANCZOS)
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=False, compress_level=6)
    return buf.getvalue(), image.size[0], image.size[1]


@dataclass
class _Candidate:
    page: int
    digest: str
    png: bytes
    width: int
    height: int


class FigureCollector:
    """Collect figures per page, then drop images repeated on many pages (logos, backgrounds)."""

    def __init__(self) -> None:
        self._items: list[_Candidate] = []
        self._seen_per_page: dict[int, set[str]] = {}
        self._png_cache: dict[str, tuple[bytes, int, int]] = {}

    def add_image(self, page: int, image: Image.Image, digest: str | None = None) -> None:
        if not is_worth_keeping(*image.size):
            return
        digest = digest or image_hash(image)
        seen = self._seen_per_page.setdefault(page, set())
        if digest in seen:  # the same picture twice on one slide
            return
        seen.add(digest)
        if digest not in self._png_cache:
            self._png_cache[digest] = to_png(image)
        png, w, h = self._png_cache[digest]
        self._items.append(_Candidate(page, digest, png, w, h))

    def add_png(self, page: int, data: bytes, digest: str, width: int, height: int) -> None:
        if not is_worth_keeping(width, height):
            return
        seen = self._seen_per_page.setdefault(page, set())
        if digest in seen:
            return
        seen.add(digest)
        self._items.append(_Candidate(page, digest, data, width, height))

    def assign(self, pages: list[Page]) -> None:
        """Attach kept figures to ``pages`` (matched by page number), numbering them 1.. per page."""
        n_pages = max(1, len(pages))
        count: dict[str, int] = {}
        for item in self._items:
            count[item.digest] = count.get(item.digest, 0) + 1
        by_number = {p.number: p for p in pages}
        for item in self._items:
            repeats = count[item.digest]
            if repeats >= LOGO_MIN_PAGES and repeats >= 0.5 * n_pages:
                continue
            page = by_number.get(item.page)
            if page is None:
                continue
            page.figures.append(Figure(index=len(page.figures) + 1, png=item.png, width=item.width, height=item.height))
        self._items = []
        self._png_cache = {}
