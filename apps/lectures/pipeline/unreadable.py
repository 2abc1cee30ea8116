"""Pages that could not be read: a document is read without them, and says which they are and why.

The reasons complete the sentence "page 2 could not be read: …" shown to the student.
"""

from __future__ import annotations

from .errors import IngestError
from .models import Page, Unreadable

DAMAGED_PAGE = "this page is damaged in the file."
NO_VALID_SIZE = "this page has no valid size in the file."
CANNOT_DRAW = "its content is damaged and could not be drawn."
DAMAGED_SCAN = "its scanned image is damaged and could not be decoded."
OCR_REASONS = {
    "timeout": "reading its text took too long and was stopped.",
    "too_much_memory": "reading its text needed more memory than is allowed.",
}


def skipped(number: int, code: str, reason: str) -> Page:
    """A placeholder for a page that could not be read (no text; the document keeps its page numbering)."""
    return Page(number=number, method="ocr", unreadable=Unreadable(code, reason))


def whole_document_error(pages: list[Page]) -> IngestError | None:
    """The error for a document none of whose pages could be read (None when at least one was read)."""
    failures = [p for p in pages if p.unreadable is not None]
    if not pages or len(failures) < len(pages):
        return None
    first = failures[0]
    if len(pages) == 1:
        return IngestError(first.unreadable.code, f"This document could not be read: {first.unreadable.reason}")
    return IngestError(
        first.unreadable.code,
        f"None of the {len(pages)} pages could be read (page {first.number}: {first.unreadable.reason[:-1]}).",
    )
