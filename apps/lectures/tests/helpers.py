from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.lectures import ingest, services
from apps.lectures.models import Chunk, Lecture


def make_chunk(lecture, index: int, vector, text: str = "body", title: str = "") -> Chunk:
    """A stored chunk of ``lecture`` on page ``index + 1`` with the given vector (retrieval tests)."""
    return Chunk.objects.create(
        owner=lecture.owner,
        subject=lecture.subject,
        lecture=lecture,
        page=index + 1,
        chunk_index=index,
        text=text,
        title=title,
        embedding=vector,
    )


def upload_file(user, subject, path: Path, name: str | None = None) -> Lecture:
    uploaded = SimpleUploadedFile(name or path.name, path.read_bytes())
    return services.upload_lecture(actor=user, subject=subject, uploaded_file=uploaded)


def ingest_now(lecture: Lecture, *, follow_up: bool = True) -> Lecture:
    """Run the ingestion in this process (the same code a worker runs) and return the fresh row. With
    ``follow_up``, then run the pieces job the completed run queued (as the next free worker would)."""
    lecture.refresh_from_db()
    ingest.run(lecture.pk, lecture.task_id)
    if follow_up:
        run_queued_piece_indexing(lecture.pk)
    lecture.refresh_from_db()
    return lecture


def queued_piece_indexing(lecture_id: int) -> list:
    """The broker's queued pieces tasks (piece_indexing.py) of one lecture, oldest first."""
    from django_q.models import OrmQ

    from apps.lectures.piece_indexing import KIND

    return [
        q
        for q in OrmQ.objects.order_by("pk")
        if q.group() == KIND and q.func() == "apps.lectures.tasks.index_lecture_pieces" and q.args()[0] == lecture_id
    ]


def run_queued_piece_indexing(lecture_id: int) -> list[str]:
    """Take the lecture's queued pieces tasks off the broker and run them here, as a worker would."""
    from apps.lectures import tasks

    outcomes = []
    for queued in queued_piece_indexing(lecture_id):
        args = queued.args()
        queued.delete()
        outcomes.append(tasks.index_lecture_pieces(*args))
    return outcomes


def espeak_wav(path: Path, text: str) -> Path:
    """A real speech recording of ``text`` (espeak-ng, installed by scripts/setup.sh --test)."""
    import shutil
    import subprocess

    espeak = shutil.which("espeak-ng")
    assert espeak, "espeak-ng is required for the recording tests: apt-get install espeak-ng"
    subprocess.run([espeak, "-w", str(path), text], check=True, capture_output=True, timeout=60)
    return path
