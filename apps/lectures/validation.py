"""Checks an upload before anything is stored for processing."""

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from apps.lectures.pipeline import IngestError, detect_kind
from apps.lectures.pipeline.transcripts import read_subtitle_cues
from smartnotes import ai

EXTENSIONS = {
    "pdf": {".pdf"},
    "pptx": {".pptx"},
    "docx": {".docx"},
    "markdown": {".md", ".markdown", ".qmd", ".rmd"},
    "text": {".txt", ".text"},
    "image": {".png", ".jpg", ".jpeg", ".tif", ".tiff"},
    "html": {".html", ".htm"},
    "transcript": {".srt", ".vtt"},
    "audio": {".mp3", ".m4a", ".wav", ".mp4"},
}
SUBTITLE_EXTENSIONS = EXTENSIONS["transcript"]
DEFAULT_EXTENSION = {
    "pdf": ".pdf",
    "pptx": ".pptx",
    "docx": ".docx",
    "markdown": ".md",
    "text": ".txt",
    "image": "",
    "html": ".html",
    "transcript": ".srt",
    "audio": "",
}


class UploadRejected(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class CheckedUpload:
    temp_path: Path
    kind: str
    safe_name: str
    size: int
    sha256: str


def sanitise_filename(name: str, kind: str) -> str:
    name = unicodedata.normalize("NFKC", os.path.basename(name.replace("\\", "/")))
    stem, ext = os.path.splitext(name)
    stem = re.sub(r"[^\w.\- ]+", "", stem, flags=re.UNICODE).strip(" .-_")[:120] or "upload"
    ext = ext.lower()
    if ext not in EXTENSIONS[kind]:
        ext = DEFAULT_EXTENSION[kind] or {"image": ".img", "audio": ".audio"}[kind]
    return f"{stem}{ext}"


def human_size(size: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


def check_upload(uploaded_file) -> CheckedUpload:
    """Size, type by magic bytes and a safe name; returns a temp copy to move into place, or raises."""
    import hashlib

    if uploaded_file.size == 0:
        raise UploadRejected(f"“{uploaded_file.name}” is empty.")
    if uploaded_file.size > settings.UPLOAD_MAX_BYTES:
        raise UploadRejected(
            f"“{uploaded_file.name}” is {human_size(uploaded_file.size)}; the limit is "
            f"{human_size(settings.UPLOAD_MAX_BYTES)}."
        )
    tmp_dir = settings.MEDIA_ROOT / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-", suffix=Path(uploaded_file.name).suffix[:10])
    try:
        with os.fdopen(fd, "wb") as out:
            for part in uploaded_file.chunks():
                digest.update(part)
                out.write(part)
        try:
            kind = detect_kind(tmp_name)
        except IngestError:
            kind = None
        _check_kind(uploaded_file.name, kind, Path(tmp_name))
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return CheckedUpload(
        temp_path=Path(tmp_name),
        kind=kind,
        safe_name=sanitise_filename(uploaded_file.name, kind),
        size=uploaded_file.size,
        sha256=digest.hexdigest(),
    )


def _check_kind(name: str, kind: str | None, path: Path) -> None:
    """Refuse what cannot be processed, with the reason: an unknown type, a damaged subtitle file (checked
    whole here: it is small), or a recording on a server without a transcription endpoint."""
    claims_subtitles = Path(name).suffix.lower() in SUBTITLE_EXTENSIONS
    if claims_subtitles and kind not in ("transcript", None):
        kind = None  # e.g. plain text named .srt: it has no cue timings, so it is a damaged subtitle file
    if kind is None and claims_subtitles:
        raise UploadRejected(
            f"“{name}” is not a readable subtitle file: SubRip (.srt) and WebVTT (.vtt) files are text with "
            "timing lines such as “00:01:02,000 --> 00:01:05,000”, and none was found. Export the subtitles again."
        )
    if kind is None:
        raise UploadRejected(
            f"“{name}” is not a file type we can read. Upload a PDF, PowerPoint (.pptx), Word (.docx), Markdown, "
            "a web page or slide deck (.html), plain text, an image (PNG, JPEG, TIFF), subtitles (.srt, .vtt) "
            "or a recording (MP3, M4A, WAV, MP4)."
        )
    if kind == "transcript":
        try:
            read_subtitle_cues(path)
        except IngestError as exc:
            raise UploadRejected(f"“{name}”: {exc.message}") from None
    if kind == "audio" and not ai.transcription_configured():
        raise UploadRejected(f"“{name}” is a recording. {ai.TranscriptionNotConfigured.default_message}")
