"""Writes to lectures: upload, queueing, retries, clearing, deleting. The only place that enqueues ingestion."""

import logging
import math
import os
import shutil
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Profile
from apps.jobs import runner
from apps.lectures.jobs import INGEST
from apps.lectures.models import Chunk, Figure, Lecture, LecturePage, LectureRole, LectureStatus
from apps.lectures.validation import CheckedUpload, UploadRejected, check_upload

log = logging.getLogger(__name__)

PASSWORD_CODES = ("encrypted", "wrong_password")


class UploadRateLimited(UploadRejected):
    def __init__(self, message: str, retry_after: int = 60):
        super().__init__(message)
        self.retry_after = retry_after


def lecture_dir(lecture: Lecture) -> Path:
    return settings.MEDIA_ROOT / "uploads" / str(lecture.owner_id) / str(lecture.pk)


def _name_from_filename(filename: str) -> str:
    stem = os.path.splitext(filename)[0].replace("_", " ").strip()
    return stem[:200] or "Untitled lecture"


def upload_lecture(*, actor, subject, uploaded_file, name: str = "", role: str = LectureRole.LECTURE) -> Lecture:
    """Validate, store and queue one uploaded file. A rejected file leaves no row and no file behind."""
    if subject.user_id != actor.pk:
        raise PermissionError("not your subject")
    checked: CheckedUpload = check_upload(uploaded_file)
    try:
        with transaction.atomic():
            # One upload at a time per user, so the hourly limit holds under parallel requests.
            Profile.objects.select_for_update().get_or_create(user=actor)
            since = timezone.now() - timedelta(hours=1)
            recent = Lecture.objects.filter(owner=actor, uploaded_at__gte=since)
            if recent.count() >= settings.UPLOAD_RATE_PER_HOUR:
                oldest = recent.order_by("uploaded_at").first().uploaded_at
                wait_min = max(1, int((oldest + timedelta(hours=1) - timezone.now()).total_seconds() // 60) + 1)
                raise UploadRateLimited(
                    f"You can upload {settings.UPLOAD_RATE_PER_HOUR} files per hour. "
                    f"Try “{uploaded_file.name}” again in about {wait_min} minute{'s' if wait_min != 1 else ''}.",
                    retry_after=wait_min * 60,
                )
            lecture = Lecture.objects.create(
                owner=actor,
                subject=subject,
                name=(name.strip() or _name_from_filename(checked.safe_name))[:200],
                original_filename=checked.safe_name,
                file_size=checked.size,
                file_type=checked.kind,
                sha256=checked.sha256,
                role=role,
            )
            target = lecture_dir(lecture) / checked.safe_name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(checked.temp_path, target)
            os.chmod(target, 0o640)
            lecture.file.name = str(target.relative_to(settings.MEDIA_ROOT))
            lecture.save(update_fields=["file"])
            transaction.on_commit(lambda: enqueue_processing(lecture))
    except BaseException:
        checked.temp_path.unlink(missing_ok=True)
        if "lecture" in locals() and lecture.pk:
            shutil.rmtree(lecture_dir(lecture), ignore_errors=True)
        raise
    return lecture


def enqueue_processing(lecture: Lecture) -> None:
    """Queue one run. The run token makes any older run's task (e.g. redelivered after a crash) a no-op."""
    runner.enqueue(INGEST, lecture.pk)


def enqueue_piece_indexing_after_commit(lecture_id: int, token: str) -> None:
    """Queue the pieces of a completed run (piece_indexing.py) once its completion is committed, after the
    "ready" push; the task writes nothing if ``token`` is no longer the lecture's run by then."""
    from django_q.tasks import async_task

    from apps.lectures.piece_indexing import KIND

    transaction.on_commit(
        lambda: async_task(
            "apps.lectures.tasks.index_lecture_pieces",
            lecture_id,
            token,
            task_name=f"{KIND}-{lecture_id}-{token[:8]}",
            group=KIND,
        )
    )


class RequeueRefused(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class RequeueRateLimited(RequeueRefused):
    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


REQUEUE_WINDOW_S = 3600


def retry_lecture(*, actor, lecture: Lecture) -> Lecture:
    """Queue a failed or partly read lecture again (the Retry button); a new chance, so the attempt counter
    restarts. A lecture that was read completely has nothing to retry (Reprocess rebuilds it)."""
    return _requeue(actor, lecture, rebuild=False)


def reprocess_lecture(*, actor, lecture: Lecture) -> Lecture:
    """Rebuild pages, figures, chunks and embeddings from the kept original."""
    return _requeue(actor, lecture, rebuild=True)


def _requeue(actor, lecture: Lecture, *, rebuild: bool) -> Lecture:
    if lecture.owner_id != actor.pk:
        raise PermissionError("not your lecture")
    with transaction.atomic():
        # One requeue at a time per user, so the hourly limit holds under parallel requests.
        Profile.objects.select_for_update().get_or_create(user=actor)
        current = Lecture.objects.select_for_update().get(pk=lecture.pk)
        if current.is_busy:
            return current  # a double click: the run already queued is the answer, and it costs nothing
        if not current.file:  # cleared by the storage clean-up (apps/core/cleanup.py): the original was lost
            raise RequeueRefused(
                f"The original file of “{current.name}” is no longer on the server, so it cannot be read again. "
                "Your pages and passages are kept; upload the file again to rebuild them."
            )
        if not rebuild and current.status == LectureStatus.COMPLETED and not current.unreadable_pages:
            raise RequeueRefused(
                f"“{current.name}” was read completely, so there is nothing to retry. "
                "Use Reprocess to read it again from the original file."
            )
        _take_requeue_slot(actor)
        return runner.requeue(INGEST, lecture.pk, prepare=_drop_derived if rebuild else None)


def _take_requeue_slot(actor) -> None:
    """Count one Retry/Reprocess in the user's rolling hour, or raise ``RequeueRateLimited``.

    The times live in the cache (PostgreSQL by default, so shared by every process and rolled back with the
    transaction); the caller holds the user's Profile row lock, which makes the read-modify-write exact."""
    limit = settings.LECTURE_REQUEUE_RATE_PER_HOUR
    key = f"lectures:requeues:{actor.pk}"
    now = timezone.now().timestamp()
    recent = sorted(t for t in cache.get(key, []) if t > now - REQUEUE_WINDOW_S)
    if len(recent) >= limit:
        wait_s = max(1, math.ceil(recent[-limit] + REQUEUE_WINDOW_S - now))
        raise RequeueRateLimited(
            f"You can retry or reprocess lectures {limit} time{'s' if limit != 1 else ''} per hour. "
            f"Try again in {wait_s} s{_about_minutes(wait_s)}.",
            retry_after=wait_s,
        )
    cache.set(key, [*recent, now], REQUEUE_WINDOW_S)


def _about_minutes(seconds: int) -> str:
    return f" (about {math.ceil(seconds / 60)} min)" if seconds >= 120 else ""


def clear_memory(*, actor, lecture: Lecture) -> int:
    """Forget the lecture's chunks and embeddings; keep the file, pages and figures."""
    if lecture.owner_id != actor.pk:
        raise PermissionError("not your lecture")
    deleted, _ = Chunk.objects.filter(lecture=lecture).delete()
    Lecture.objects.filter(pk=lecture.pk).update(embedding_model="")
    return deleted


def unlock_with_password(*, actor, lecture: Lecture, password: str) -> Lecture:
    """Open an encrypted PDF with the student's password and keep a decrypted working copy.

    The password itself is used once, in this request, and never stored or queued.
    """
    import pikepdf

    if lecture.owner_id != actor.pk:
        raise PermissionError("not your lecture")
    source = Path(lecture.file.path)
    target = source.with_name("decrypted.pdf")
    try:
        with pikepdf.open(source, password=password) as pdf:
            pdf.save(target, encryption=False)
    except pikepdf.PasswordError:
        raise UploadRejected("That password did not open the PDF. Check it and try again.") from None
    except pikepdf.PdfError:
        raise UploadRejected("This PDF could not be opened even with a password: it appears to be damaged.") from None
    os.chmod(target, 0o640)
    lecture.metadata = {**lecture.metadata, "working_copy": target.name}
    Lecture.objects.filter(pk=lecture.pk).update(metadata=lecture.metadata)
    return _requeue(actor, lecture, rebuild=False)


def delete_lecture(*, actor, lecture: Lecture) -> None:
    if lecture.owner_id != actor.pk:
        raise PermissionError("not your lecture")
    lecture.delete()  # the post_delete signal removes its folder after commit


def _drop_derived(lecture: Lecture) -> None:
    Chunk.objects.filter(lecture=lecture).delete()
    LecturePage.objects.filter(lecture=lecture).delete()
    Figure.objects.filter(lecture=lecture).delete()
    for sub in ("pages", "figures"):
        shutil.rmtree(lecture_dir(lecture) / sub, ignore_errors=True)
    if lecture.file and "missing_files" in lecture.metadata:  # page images and figures are rebuilt (cleanup.py)
        lecture.metadata = {k: v for k, v in lecture.metadata.items() if k != "missing_files"}


def recover_stale_lectures() -> dict:
    """Lectures whose worker stopped reporting are queued again or failed (see ``runner.recover_stale``).
    Runs on a schedule and when a worker cluster starts."""
    return runner.recover_stale(INGEST)


def reembed_lecture(lecture: Lecture, *, batch_size: int = 64) -> int:
    """Recompute a lecture's chunk vectors and their pieces' (pipeline/pieces.py) with the configured model, from
    the same contextual text ingestion embeds (slide title, passage). Returns the number of chunks."""
    from apps.lectures.piece_indexing import piece_vectors, replace_pieces
    from apps.lectures.pipeline.context import embedding_text
    from smartnotes import ai

    chunks = list(Chunk.objects.filter(lecture=lecture).only("pk", "text", "title").order_by("pk"))
    vectors = ai.embed_texts([embedding_text(c.title, c.text) for c in chunks], batch_size=batch_size)
    for chunk, vector in zip(chunks, vectors, strict=True):
        chunk.embedding = vector
    pieces = piece_vectors(chunks)
    with transaction.atomic():
        # Under the row lock, like a queued pieces job (piece_indexing.py): one of the two replaces the other's.
        Lecture.objects.select_for_update().filter(pk=lecture.pk).first()
        Chunk.objects.bulk_update(chunks, ["embedding"], batch_size=500)
        replace_pieces(lecture.pk, pieces)
        Lecture.objects.filter(pk=lecture.pk).update(embedding_model=ai.embedding_model_id())
    return len(chunks)


def redetect_language(lecture: Lecture, *, dry_run: bool = False) -> str | None:
    """Detect the language of a lecture's stored pages again (text_language.py); when it differs from the one its
    full text is indexed in, re-index its chunks in the new one (their tsvectors are generated from
    Chunk.language; no file is read, nothing re-embedded). Returns the new language, or None when unchanged."""
    from apps.lectures import text_language

    texts = list(LecturePage.objects.filter(lecture=lecture).order_by("number").values_list("text", flat=True))
    language = text_language.detect(text_language.sample(texts))
    if language == lecture.language:
        return None
    if not dry_run:
        with transaction.atomic():
            Lecture.objects.select_for_update().filter(pk=lecture.pk).update(language=language)
            Chunk.objects.filter(lecture=lecture).update(language=language)
    return language


def reembed_stale_lectures(*, batch_size: int = 64) -> list[int]:
    """Re-embed the chunks of completed lectures indexed with another embedding model than the configured one,
    so one search never mixes two vector spaces. Text, pages and figures are kept; only vectors change."""
    from smartnotes import ai

    current = ai.embedding_model_id()
    done = []
    stale = Lecture.objects.filter(status=LectureStatus.COMPLETED).exclude(embedding_model__in=["", current])
    for lecture in stale.only("pk", "owner_id", "name", "embedding_model"):
        reembed_lecture(lecture, batch_size=batch_size)
        done.append(lecture.pk)
    if done:
        log.info("re-embedded %s lecture(s) with %s: %s", len(done), current, done)
    return done
