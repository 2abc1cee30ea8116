"""The ingestion run for one lecture, as small steps: claim → extract → clean → chunk → embed → store.

Runs inside a django-q2 worker. Extraction happens in an isolated child process (memory and time limits), so
a hostile file fails its lecture and never the worker. Everything derived from the file is written in one
transaction at the end: a lecture has either all of its pages, figures and chunks or none of them.
"""

import contextlib
import logging
import multiprocessing
import threading
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from apps.lectures import pipeline
from apps.lectures.models import Chunk, Figure, Lecture, LecturePage, LectureStatus
from apps.lectures.pipeline import IngestError
from apps.lectures.progress import ProgressTracker, push_status, push_status_after_commit
from smartnotes import ai

log = logging.getLogger(__name__)
HEARTBEAT_EVERY_S = 5
EMBED_BATCH = 64


def limits_from_settings() -> pipeline.Limits:
    return pipeline.Limits(
        max_pages=settings.INGEST_MAX_PAGES,
        max_page_pixels=settings.INGEST_MAX_PAGE_PIXELS,
        page_timeout_s=settings.INGEST_PAGE_TIMEOUT_S,
        total_timeout_s=settings.INGEST_TOTAL_TIMEOUT_S,
        memory_mb=settings.INGEST_MEMORY_MB,
        ocr_processes=settings.INGEST_OCR_PROCESSES,
    )


def claim(lecture_id: int, token: str) -> Lecture | None:
    """Move a pending lecture to processing if this run is still the current one."""
    with transaction.atomic():
        lecture = Lecture.objects.select_for_update().filter(pk=lecture_id).first()
        if lecture is None or lecture.task_id != token or lecture.status != LectureStatus.PENDING:
            return None
        lecture.status = LectureStatus.PROCESSING
        lecture.attempts += 1
        lecture.processing_started_at = timezone.now()
        lecture.heartbeat_at = timezone.now()
        lecture.progress_step = "Starting"
        lecture.progress_percent = 1
        lecture.error_code = ""
        lecture.error_message = ""
        lecture.save()
        push_status_after_commit(lecture)
    return lecture


class Heartbeat:
    """Touches heartbeat_at while a run is alive, so stale-run detection can tell a dead worker apart."""

    def __init__(self, lecture_id: int):
        self.lecture_id = lecture_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True, name=f"heartbeat-{lecture_id}")

    def _beat(self):
        try:
            while not self._stop.wait(HEARTBEAT_EVERY_S):
                Lecture.objects.filter(pk=self.lecture_id, status=LectureStatus.PROCESSING).update(
                    heartbeat_at=timezone.now()
                )
        finally:
            connection.close()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)


def source_path(lecture: Lecture) -> Path:
    original = Path(lecture.file.path)
    working = lecture.metadata.get("working_copy")
    return original.with_name(working) if working else original


def extract(lecture: Lecture, tracker: ProgressTracker) -> list[pipeline.Page]:
    """Run the extraction in an isolated child; run_isolated relays its progress calls to this process."""
    limits = limits_from_settings()
    with _children_allowed():
        return pipeline.run_isolated(
            pipeline.extract,
            str(source_path(lecture)),
            lecture.file_type,
            limits=limits,
            progress=lambda done, total, step: tracker.update("extract", done, total, step),
            timeout_s=limits.total_timeout_s + 30,
            memory_mb=limits.memory_mb,
        )


@contextlib.contextmanager
def _children_allowed():
    """django-q2 runs tasks in daemonic processes, which multiprocessing forbids to have children. The
    isolated extraction child is always reaped by run_isolated (it kills the child's process group), which is
    what the rule protects, so lift the flag for the duration of the call."""
    process = multiprocessing.current_process()
    daemonic = process._config.get("daemon")
    process._config["daemon"] = False
    try:
        yield
    finally:
        if daemonic is not None:
            process._config["daemon"] = daemonic


def embed_chunks(drafts: list[pipeline.ChunkDraft], tracker: ProgressTracker):
    vectors = []
    total = len(drafts)
    for start in range(0, total, EMBED_BATCH):
        batch = drafts[start : start + EMBED_BATCH]
        vectors.extend(ai.embed_texts([d.text for d in batch]))
        done = min(start + EMBED_BATCH, total)
        tracker.update("embed", done, total, f"Indexing passages {done} of {total}")
    return vectors


def store(lecture: Lecture, pages: list[pipeline.Page], drafts, vectors, model_id: str) -> dict:
    """Replace everything derived from the file in one transaction."""
    methods: dict[str, int] = {}
    figure_count = 0
    with transaction.atomic():
        Chunk.objects.filter(lecture=lecture).delete()
        LecturePage.objects.filter(lecture=lecture).delete()
        Figure.objects.filter(lecture=lecture).delete()
        for page in pages:
            methods[page.method] = methods.get(page.method, 0) + 1
            row = LecturePage(
                lecture=lecture,
                number=page.number,
                text=page.text,
                notes=page.notes,
                method=page.method,
                confidence=page.confidence,
            )
            if page.thumbnail:
                ext = "png" if page.thumbnail[:4] == b"\x89PNG" else "jpg"
                row.thumbnail.save(f"page_{page.number:03d}.{ext}", ContentFile(page.thumbnail), save=False)
            row.save()
            for figure in page.figures:
                fig = Figure(
                    lecture=lecture, page=page.number, index=figure.index, width=figure.width, height=figure.height
                )
                fig.image.save(
                    f"slide_{page.number:02d}_fig_{figure.index:02d}.png", ContentFile(figure.png), save=False
                )
                fig.save()
                figure_count += 1
        Chunk.objects.bulk_create(
            [
                Chunk(
                    owner_id=lecture.owner_id,
                    subject_id=lecture.subject_id,
                    lecture=lecture,
                    page=draft.page,
                    chunk_index=draft.chunk_index,
                    content_type=draft.content_type,
                    text=draft.text,
                    embedding=vector,
                )
                for draft, vector in zip(drafts, vectors, strict=True)
            ],
            batch_size=500,
        )
        finished = timezone.now()
        lecture.status = LectureStatus.COMPLETED
        lecture.page_count = len(pages)
        lecture.processed_at = finished
        lecture.processing_time = round((finished - lecture.processing_started_at).total_seconds(), 3)
        lecture.progress_percent = 100
        lecture.progress_page = len(pages)
        lecture.progress_total = len(pages)
        lecture.progress_step = "Ready"
        lecture.embedding_model = model_id
        lecture.metadata = {
            **lecture.metadata,
            "pages_by_method": methods,
            "figures": figure_count,
            "chunks": len(drafts),
            "ocr_confidence": _mean([p.confidence for p in pages if p.confidence is not None]),
        }
        lecture.save()
        push_status_after_commit(lecture)
    return {"pages": len(pages), "chunks": len(drafts), "figures": figure_count, "methods": methods}


def _mean(values):
    return round(sum(values) / len(values), 1) if values else None


def fail(lecture: Lecture, code: str, message: str) -> None:
    Lecture.objects.filter(pk=lecture.pk).update(
        status=LectureStatus.FAILED,
        error_code=code,
        error_message=message,
        progress_step="",
        processed_at=timezone.now(),
    )
    lecture.refresh_from_db()
    push_status(lecture)


def run(lecture_id: int, token: str) -> str:
    close_old_connections()
    lecture = claim(lecture_id, token)
    if lecture is None:
        return "superseded"
    tracker = ProgressTracker(lecture)
    try:
        with Heartbeat(lecture.pk):
            tracker.update("extract", 0, 1, "Reading the document", force=True)
            pages = pipeline.clean_pages(extract(lecture, tracker))
            if not any(p.text.strip() or p.notes.strip() for p in pages):
                raise IngestError("no_text")
            drafts = pipeline.chunk_pages(pages)
            tracker.update("store", 0, 1, "Splitting into passages", force=True)
            vectors = embed_chunks(drafts, tracker)
            tracker.update("embed", 1, 1, "Saving", force=True)
            summary = store(lecture, pages, drafts, vectors, ai.embedding_model_id())
    except IngestError as exc:
        log.info("lecture %s failed: %s", lecture.pk, exc.code)
        fail(lecture, exc.code, exc.message)
        return exc.code
    except ai.AIError as exc:
        log.warning("lecture %s: embedding failed: %s", lecture.pk, exc)
        fail(
            lecture, "embedding", "Indexing the text failed because the embedding service is unavailable. Press Retry."
        )
        return "embedding"
    except Exception:
        log.exception("lecture %s: unexpected failure", lecture.pk)
        fail(lecture, "internal", "Something went wrong while processing this file. The file is kept; press Retry.")
        return "internal"
    log.info("lecture %s completed: %s", lecture.pk, summary)
    return "completed"
