"""File type detection by magic bytes (never by extension alone)."""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

from .errors import IngestError
from .transcripts import looks_like_subtitles

KINDS = ("pdf", "pptx", "docx", "markdown", "text", "image", "html", "transcript", "audio")
MARKDOWN_EXTENSIONS = {".md", ".markdown", ".mdown", ".mkd", ".qmd", ".rmd"}
TEXT_SAMPLE_BYTES = 4 * 1024 * 1024
HTML_SNIFF_BYTES = 1024
# An HTML document starts (after an optional BOM, whitespace, comments and an XML prolog) with a doctype or an
# <html>/<head>/<body>/<section> tag; the tag must begin within the first KB.
_HTML_START = re.compile(
    rb"(?:\xef\xbb\xbf)?(?:\s|<!--.*?-->|<\?xml[^>]*>)*<(?:!doctype\s+html|html|head|body|section)(?=[\s>/])",
    re.I | re.S,
)

_UNSUPPORTED_OLD_OFFICE = (
    "This looks like an old Office file (.ppt/.doc) or a password-protected Office file. "
    "Save it as .pptx or .docx without a password and upload it again."
)


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        # Damaged container: look at the local file headers we can see; the extractor will then report
        # precisely what is broken.
        with open(path, "rb") as fh:
            head = fh.read(1024 * 1024)
        names = []
        if b"ppt/" in head:
            names = ["ppt/"]
        elif b"word/" in head:
            names = ["word/"]
    if any(n.startswith("ppt/") for n in names):
        return "pptx"
    if any(n.startswith("word/") for n in names):
        return "docx"
    raise IngestError(
        "unsupported",
        "This ZIP-based file is neither a PowerPoint (.pptx) nor a Word (.docx) document.",
    )


def looks_like_text(data: bytes, truncated: bool) -> bool:
    """True when ``data`` is UTF-8 text without binary control characters."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        return False
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut by the sample boundary is fine
        if not (truncated and exc.start >= len(data) - 3):
            return False
        text = data[: exc.start].decode("utf-8", errors="strict")
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or ord(ch) == 0x7F)
    return bad <= max(2, len(text) // 1000)


def looks_like_html(head: bytes) -> bool:
    """True when the sample starts like an HTML document (UTF-16 only with a byte order mark)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head[: 2 * HTML_SNIFF_BYTES + 2].decode("utf-16", errors="ignore").encode("utf-8")
    sample = head[:HTML_SNIFF_BYTES]
    if _HTML_START.match(sample) is None:
        return False
    controls = sum(1 for b in sample if (b < 32 and b not in b"\t\n\r\f") or b == 0x7F)
    return controls <= 2


# ISO base media brands of still images (HEIF/AVIF), which share the "ftyp" box with MP4/M4A.
_IMAGE_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"}


def looks_like_audio(head: bytes) -> bool:
    """A recording we can send for transcription: WAV (RIFF/WAVE), MP3 (an ID3 tag or an MPEG audio frame
    header) or MP4/M4A (an ISO media "ftyp" box)."""
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return True
    if head[:3] == b"ID3" and len(head) >= 10 and head[3] in (2, 3, 4):
        return True
    if len(head) >= 4 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        version, layer = (head[1] >> 3) & 3, (head[1] >> 1) & 3
        bitrate, rate = head[2] >> 4, (head[2] >> 2) & 3
        return version != 1 and layer != 0 and bitrate not in (0, 15) and rate != 3
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return head[8:12] not in _IMAGE_BRANDS
    return False


def detect_kind(path) -> str:
    """Return "pdf", "pptx", "docx", "markdown", "text", "image", "html", "transcript" (SubRip/WebVTT
    subtitles) or "audio" (a WAV, MP3 or MP4/M4A recording) from the file's content."""
    path = Path(path)
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            head = fh.read(TEXT_SAMPLE_BYTES)
    except OSError as exc:
        raise IngestError("unsupported", "The uploaded file could not be read.") from exc
    if size == 0:
        raise IngestError("unsupported", "The uploaded file is empty.")

    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise IngestError("unsupported", _UNSUPPORTED_OLD_OFFICE)
    if head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8\xff"):
        return "image"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "image"
    if looks_like_audio(head):
        return "audio"
    if looks_like_subtitles(head):
        return "transcript"
    if looks_like_html(head):
        return "html"
    if looks_like_text(head, truncated=size > len(head)):
        return "markdown" if path.suffix.lower() in MARKDOWN_EXTENSIONS else "text"
    raise IngestError("unsupported")
