"""Errors raised by the extraction pipeline.

Every failure the pipeline can foresee ends as an :class:`IngestError` whose ``code`` is machine readable
(the Django side stores it and decides e.g. whether to ask for a password) and whose ``message`` is a sentence
a student understands.
"""

from __future__ import annotations

CODES = (
    "unsupported",
    "corrupt",
    "encrypted",
    "wrong_password",
    "too_many_pages",
    "image_too_large",
    "no_text",
    "timeout",
    "too_much_memory",
)

DEFAULT_MESSAGES = {
    "unsupported": "This file type is not supported. Upload a PDF, PowerPoint (.pptx), Word (.docx), "
    "Markdown, plain text, an HTML page or slide deck, an image (PNG, JPEG, TIFF), subtitles (.srt, .vtt) "
    "or a recording (MP3, M4A, WAV, MP4).",
    "corrupt": "This file appears to be damaged or incomplete and could not be read. "
    "Try exporting or downloading it again.",
    "encrypted": "This PDF is password-protected. Enter its password to process it.",
    "wrong_password": "The password is not correct for this PDF. Check it and try again.",
    "too_many_pages": "This document has too many pages to process.",
    "image_too_large": "This document contains a page or image that is too large to process safely.",
    "no_text": "No text could be found in this document, even with text recognition.",
    "timeout": "Processing this document took too long and was stopped.",
    "too_much_memory": "Processing this document needed too much memory and was stopped.",
}


class IngestError(Exception):
    """A foreseen ingestion failure with a stable ``code`` and a student-friendly ``message``."""

    def __init__(self, code: str, message: str | None = None):
        if code not in CODES:
            raise ValueError(f"unknown IngestError code {code!r}")
        self.code = code
        self.message = message or DEFAULT_MESSAGES[code]
        super().__init__(code, self.message)

    def __str__(self) -> str:  # pragma: no cover - trivial
        return f"{self.code}: {self.message}"

    def __reduce__(self):  # survive pickling across processes with both attributes
        return (IngestError, (self.code, self.message))
