from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.lectures import ingest, services
from apps.lectures.models import Lecture


def upload_file(user, subject, path: Path, name: str | None = None) -> Lecture:
    uploaded = SimpleUploadedFile(name or path.name, path.read_bytes())
    return services.upload_lecture(actor=user, subject=subject, uploaded_file=uploaded)


def ingest_now(lecture: Lecture) -> Lecture:
    """Run the ingestion in this process (the same code a worker runs) and return the fresh row."""
    lecture.refresh_from_db()
    ingest.run(lecture.pk, lecture.task_id)
    lecture.refresh_from_db()
    return lecture


def espeak_wav(path: Path, text: str) -> Path:
    """A real speech recording of ``text`` (espeak-ng, installed by scripts/setup.sh --test)."""
    import shutil
    import subprocess

    espeak = shutil.which("espeak-ng")
    assert espeak, "espeak-ng is required for the recording tests: apt-get install espeak-ng"
    subprocess.run([espeak, "-w", str(path), text], check=True, capture_output=True, timeout=60)
    return path
