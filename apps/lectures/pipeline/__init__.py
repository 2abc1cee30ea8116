"""Pure document-extraction library for lecture ingestion (no Django imports).

Public interface::

    kind = detect_kind(path)
    pages = run_isolated(extract, path, kind, password=None, limits=Limits(), progress=cb,
                         timeout_s=limits.total_timeout_s + 30, memory_mb=limits.memory_mb)
    pages = clean_pages(pages)
    drafts = chunk_pages(pages)
    pages = pages_from_segments(segments)   # a transcribed recording: time-window pages
"""

from .chunking import chunk_pages
from .clean import clean_pages
from .detect import detect_kind
from .errors import IngestError
from .extract import extract
from .isolation import run_isolated
from .models import Block, ChunkDraft, Figure, Limits, Page
from .transcripts import format_timestamp, pages_from_segments

__all__ = [
    "Block",
    "ChunkDraft",
    "Figure",
    "IngestError",
    "Limits",
    "Page",
    "chunk_pages",
    "clean_pages",
    "detect_kind",
    "extract",
    "format_timestamp",
    "pages_from_segments",
    "run_isolated",
]
