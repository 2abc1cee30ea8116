"""Checks an upload before anything is stored for processing."""

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from apps.lectures.pipeline import IngestError, detect_kind

EXTENSIONS = {
    "pdf": {".pdf"},
    "pptx": {".pptx"},
    "docx": {".docx"},
    "markdown": {".md", ".markdown", ".qmd", ".rmd"},
    "text": {".txt", ".text"},
    "image": {".png", ".jpg", ".jpeg", ".tif", ".tiff"},
    "html": {".html", ".htm"},
}
DEFAULT_EXTENSION = {
    "pdf": ".pdf",
    "pptx": ".pptx",
    "docx": ".docx",
    "markdown": ".md",
    "text": ".txt",
    "image": "",
    "html": ".html",
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
        ext = DEFAULT_EXTENSION[kind] or ".img"
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
            raise UploadRejected(
                f"“{uploaded_file.name}” is not a file type we can read. Upload a PDF, PowerPoint (.pptx), "
                "Word (.docx), Markdown, a web page or slide deck (.html), plain text or an image (PNG, JPEG, TIFF)."
            ) from None
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
