"""Plain data classes exchanged between the pipeline and its caller (no Django)."""

from __future__ import annotations

from dataclasses import dataclass, field

BLOCK_KINDS = ("heading", "text", "list", "table")


@dataclass
class Limits:
    max_pages: int = 500
    max_page_pixels: int = 40_000_000  # per rendered page image and per embedded image kept as a figure
    # An image larger than the page budget is decoded only to be rendered smaller, and only up to this size
    # (and half of memory_mb decoded): beyond it, it is treated as a decompression bomb and never decoded.
    max_image_pixels: int = 250_000_000
    page_timeout_s: float = 60
    total_timeout_s: float = 900
    memory_mb: int = 2048
    ocr_processes: int = 2
    dpi: int = 300


@dataclass
class Block:
    text: str
    kind: str = "text"  # heading | text | list | table


@dataclass
class Figure:
    index: int  # 1-based within its page
    png: bytes
    width: int
    height: int


@dataclass
class Unreadable:
    """Why one page could not be read: ``code`` as in IngestError, ``reason`` completing the sentence
    "page 2 could not be read: …" for a student."""

    code: str
    reason: str


@dataclass
class Page:
    number: int  # 1-based
    blocks: list[Block] = field(default_factory=list)
    method: str = "text"  # "text" | "ocr" | "native"
    confidence: float | None = None  # mean Tesseract word confidence (0-100) for OCR pages
    thumbnail: bytes | None = None  # PNG/JPEG about 300 px wide
    notes: str = ""  # PPTX speaker notes, kept apart from the slide text
    figures: list[Figure] = field(default_factory=list)
    unreadable: Unreadable | None = None  # set on a page that was skipped; the rest of the document is read
    # Transcripts and recordings: the time window of the page, in seconds from the start.
    start_s: float | None = None
    end_s: float | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(b.text for b in self.blocks if b.text.strip())


@dataclass
class ChunkDraft:
    text: str
    page: int
    chunk_index: int
    content_type: str
    title: str = ""  # the page's slide title or section (see context.page_titles)
    overview: bool = False  # the page lists topics (agenda, summary, divider) rather than teaching one
