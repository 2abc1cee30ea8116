"""The ingestion run for one lecture, as small steps: claim → extract → clean → chunk → embed → store.

Runs inside a django-q2 worker as a job of the shared runner (apps/jobs: claim, heartbeat, progress, stale
recovery). Extraction happens in an isolated child process (memory and time limits), so
a hostile file fails its lecture and never the worker. Everything derived from the file is written in one
transaction at the end: a lecture has either all of its pages, figures and chunks or none of them. The vectors
of the chunks' pieces are a follow-up job queued on completion (piece_indexing.py): the lecture is ready first.
"""

import contextlib
import logging
import multiprocessing
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile

from apps.core import metrics
from apps.jobs import runner
from apps.lectures import pipeline, services, text_language
from apps.lectures.jobs import INGEST
from apps.lectures.models import Chunk, Figure, FileType, Lecture, LecturePage, LectureRole
from apps.lectures.pipeline import IngestError
from apps.lectures.pipeline.context import embedding_text
from apps.lectures.pipeline.pieces import piece_texts
from smartnotes import ai

log = logging.getLogger(__name__)


def limits_from_settings() -> pipeline.Limits:
    return pipeline.Limits(
        max_pages=settings.INGEST_MAX_PAGES,
        max_page_pixels=settings.INGEST_MAX_PAGE_PIXELS,
        max_image_pixels=settings.INGEST_MAX_IMAGE_PIXELS,
        page_timeout_s=settings.INGEST_PAGE_TIMEOUT_S,
        total_timeout_s=settings.INGEST_TOTAL_TIMEOUT_S,
        memory_mb=settings.INGEST_MEMORY_MB,
        ocr_processes=settings.INGEST_OCR_PROCESSES,
    )


def source_path(lecture: Lecture) -> Path:
    original = Path(lecture.file.path)
    working = lecture.metadata.get("working_copy")
    return original.with_name(working) if working else original


def extract(lecture: Lecture, tracker: runner.ProgressTracker) -> list[pipeline.Page]:
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


def embed_chunks(drafts: list[pipeline.ChunkDraft], tracker: runner.ProgressTracker):
    """A vector per draft, each passage embedded under its slide title (pipeline/context.py)."""
    total = len(drafts)

    def report(done: int, _total: int) -> None:
        tracker.update("embed", done, total, f"Indexing passages {done} of {total}")

    return list(ai.embed_texts([embedding_text(d.title, d.text) for d in drafts], progress=report))


def store(lecture: Lecture, pages: list[pipeline.Page], drafts, vectors, model_id: str) -> dict:
    """Replace everything derived from the file in one transaction, if this run is still the lecture's current
    run (checked under the row lock: a superseded run raises ``Superseded`` and writes nothing). The old chunks'
    pieces go with them; the new ones are queued for after the commit."""
    methods: dict[str, int] = {}
    figure_count = 0
    language = text_language.detect(text_language.sample([page.text for page in pages]))
    with runner.current_run(INGEST, lecture.pk, lecture.task_id):
        Chunk.objects.filter(lecture=lecture).delete()
        LecturePage.objects.filter(lecture=lecture).delete()
        Figure.objects.filter(lecture=lecture).delete()
        for page in pages:
            if page.unreadable is None:
                methods[page.method] = methods.get(page.method, 0) + 1
            row = LecturePage(
                lecture=lecture,
                number=page.number,
                text=page.text,
                notes=page.notes,
                method=page.method,
                confidence=page.confidence,
                start_seconds=page.start_s,
                end_seconds=page.end_s,
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
                    title=draft.title[:200],
                    is_overview=draft.overview,
                    language=language,
                    embedding=vector,
                )
                for draft, vector in zip(drafts, vectors, strict=True)
            ],
            batch_size=500,
        )
        lecture.page_count = len(pages)
        lecture.progress_page = len(pages)
        lecture.progress_total = len(pages)
        lecture.embedding_model = model_id
        lecture.language = language
        lecture.metadata = {
            **lecture.metadata,
            "pages_by_method": methods,
            "figures": figure_count,
            "chunks": len(drafts),
            "ocr_confidence": _mean([p.confidence for p in pages if p.confidence is not None]),
            # pages skipped because they could not be read (the rest of the document is read and indexed)
            "unreadable_pages": [
                {"page": p.number, "code": p.unreadable.code, "reason": p.unreadable.reason}
                for p in pages
                if p.unreadable is not None
            ],
        }
        runner.mark_completed(INGEST, lecture)
        if any(piece_texts(d.title, d.text) for d in drafts):
            services.enqueue_piece_indexing_after_commit(lecture.pk, lecture.task_id)
    return {"pages": len(pages), "chunks": len(drafts), "figures": figure_count, "methods": methods}


def _mean(values):
    return round(sum(values) / len(values), 1) if values else None


def run(lecture_id: int, token: str) -> str:
    return runner.execute(INGEST, lecture_id, token, _work)


def transcribe(lecture: Lecture, tracker: runner.ProgressTracker) -> list[pipeline.Page]:
    """A recording's pages: the transcription endpoint's timed segments, cut into time windows."""
    tracker.update("extract", 0, 1, "Transcribing the recording", force=True)
    segments = ai.transcribe(source_path(lecture), filename=lecture.original_filename)
    pages = pipeline.pages_from_segments(segments)
    if len(pages) > settings.INGEST_MAX_PAGES:
        raise IngestError(
            "too_many_pages", f"This recording makes {len(pages)} pages; the limit is {settings.INGEST_MAX_PAGES}."
        )
    if not pages:
        raise IngestError("no_text", "No speech was found in this recording.")
    tracker.update("extract", 1, 1, "Transcribed", force=True)
    return pages


def _work(lecture: Lecture, tracker: runner.ProgressTracker) -> None:
    try:
        summary = _read_and_store(lecture, tracker)
    except IngestError as exc:
        raise runner.JobFailed(exc.code, exc.message) from exc
    except ai.TranscriptionNotConfigured as exc:
        raise runner.JobFailed("no_transcription", exc.user_message) from exc
    except (ai.TranscriptionUnavailable, ai.TranscriptionFailed) as exc:
        log.warning("lecture %s: transcription failed: %s", lecture.pk, exc.detail)
        raise runner.JobFailed("transcription", exc.user_message) from exc
    except ai.AIError as exc:
        log.warning("lecture %s: embedding failed: %s", lecture.pk, exc)
        raise runner.JobFailed(
            "embedding", "Indexing the text failed because the embedding service is unavailable. Press Retry."
        ) from exc
    metrics.pages_ingested(summary["pages"], summary["methods"])
    log.info("lecture %s completed: %s", lecture.pk, summary)


def _read_and_store(lecture: Lecture, tracker: runner.ProgressTracker) -> dict:
    if lecture.file_type == FileType.AUDIO:
        pages = transcribe(lecture, tracker)
    else:
        tracker.update("extract", 0, 1, "Reading the document", force=True)
        pages = pipeline.clean_pages(extract(lecture, tracker))
    if not any(p.text.strip() or p.notes.strip() for p in pages):
        raise IngestError("no_text")
    if lecture.role == LectureRole.EXAM:
        # An exam is split into questions for the past-paper answers and never indexed for retrieval.
        lecture.metadata = {**lecture.metadata, "exam_questions": _exam_questions(pages)}
        tracker.update("embed", 1, 1, "Saving", force=True)
        return store(lecture, pages, [], [], "")
    drafts = pipeline.chunk_pages(pages)
    tracker.update("store", 0, 1, "Splitting into passages", force=True)
    vectors = embed_chunks(drafts, tracker)
    tracker.update("embed", 1, 1, "Saving", force=True)
    return store(lecture, pages, drafts, vectors, ai.embedding_model_id())


def _exam_questions(pages: list[pipeline.Page]) -> list[dict]:
    from smartnotes.generation.exam_split import split_exam

    return [
        {"label": q.label, "text": q.text, "points": q.points} for q in split_exam([(p.number, p.text) for p in pages])
    ]
