"""One runner for every background job: queue with a run token, claim, heartbeat, progress, finish or fail,
stale recovery, Retry.

A job is a row of a model that inherits ``BackgroundJob`` plus a ``JobKind`` describing it (which task runs
it, how its status reaches the owner's pages, how its stages map onto one percentage). Every run carries a
run token: a task delivered twice, or a run that recovery replaced while it was still alive, finds itself
superseded — at claim time, and again under a row lock wherever it stores a result or a failure — and
changes nothing.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from apps.core import metrics
from apps.jobs.models import BackgroundJob, JobStatus

log = logging.getLogger(__name__)
HEARTBEAT_EVERY_S = 5

INTERNAL_MESSAGE = "Something went wrong while working on this. Nothing is lost; press Retry."
STALE_MESSAGE = "Processing stopped unexpectedly several times. Nothing is lost; press Retry to try again."


@dataclass(frozen=True)
class JobKind:
    name: str  # also the django-q2 group
    model: type[BackgroundJob]
    task: str  # dotted path of the entry point called as task(pk, token)
    push: Callable[[Any], None]  # sends the row's status to its owner's open pages
    max_attempts: Callable[[], int]
    stale_after_s: Callable[[], int]
    # stage -> (start %, end %) of the overall bar
    stages: dict[str, tuple[int, int]] = field(default_factory=lambda: {"work": (2, 98)})
    # stages whose (done, total) are also shown as "page i of n"
    counted_stages: tuple[str, ...] = ()
    internal_message: str = INTERNAL_MESSAGE
    stale_message: str = STALE_MESSAGE


class JobFailed(Exception):  # noqa: N818 - reads as "the job failed: <reason>"
    """Raised by a job's work to end it as failed with a reason a student understands."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class Superseded(Exception):  # noqa: N818
    """This run is no longer the job's current run; it must not write anything."""


# --- queueing ------------------------------------------------------------------------------------------


def enqueue(kind: JobKind, pk: int) -> str:
    """Give the job a new run token and queue one run; any older run's task becomes a no-op."""
    token = uuid.uuid4().hex
    kind.model.objects.filter(pk=pk).update(task_id=token)
    _send(kind, pk, token)
    return token


def _send(kind: JobKind, pk: int, token: str) -> None:
    from django_q.tasks import async_task

    async_task(kind.task, pk, token, task_name=f"{kind.name}-{pk}-{token[:8]}", group=kind.name)


def enqueue_after_commit(kind: JobKind, pk: int) -> None:
    # robust: the job is saved; if the queue cannot be written now, the request still succeeds (the error is
    # logged) and recover_stale sends the task again later (_resend_lost).
    transaction.on_commit(lambda: enqueue(kind, pk), robust=True)


def push_after_commit(kind: JobKind, row: BackgroundJob) -> None:
    transaction.on_commit(lambda: kind.push(row))


def reset_for_processing(row: BackgroundJob, *, step: str) -> None:
    row.status = JobStatus.PENDING
    row.error_code = ""
    row.error_message = ""
    row.progress_percent = 0
    row.progress_page = 0
    row.progress_total = 0
    row.progress_step = step
    row.heartbeat_at = None


def requeue(
    kind: JobKind, pk: int, *, step: str = "Waiting for a worker", prepare: Callable[[Any], None] | None = None
) -> BackgroundJob:
    """Queue a finished or failed job again (Retry, Reprocess); a new chance, so attempts restart.

    A job that is already waiting or running is returned unchanged (a double click queues one run).
    ``prepare(row)`` runs under the row lock first, e.g. to drop derived data.
    """
    with transaction.atomic():
        row = kind.model.objects.select_for_update().get(pk=pk)
        if row.is_busy:
            return row
        if prepare is not None:
            prepare(row)
        row.attempts = 0
        reset_for_processing(row, step=step)
        row.save()
        enqueue_after_commit(kind, row.pk)
        push_after_commit(kind, row)
    return row


# --- one run -------------------------------------------------------------------------------------------


def claim(kind: JobKind, pk: int, token: str) -> BackgroundJob | None:
    """Move a pending job to processing if this run is still the current one."""
    with transaction.atomic():
        row = kind.model.objects.select_for_update().filter(pk=pk).first()
        if row is None or row.task_id != token or row.status != JobStatus.PENDING:
            return None
        now = timezone.now()
        row.status = JobStatus.PROCESSING
        row.attempts += 1
        row.processing_started_at = now
        row.heartbeat_at = now
        row.progress_step = "Starting"
        row.progress_percent = 1
        row.error_code = ""
        row.error_message = ""
        row.save()
        push_after_commit(kind, row)
    return row


@contextlib.contextmanager
def current_run(kind: JobKind, pk: int, token: str, *, status: str = JobStatus.PROCESSING) -> Iterator[BackgroundJob]:
    """A transaction holding the job's row lock, entered only while ``token`` is the current processing run.

    Store a run's results inside it: a run that was superseded gets ``Superseded`` before it writes anything,
    and its replacement cannot be superseded halfway through the write. A follow-up of a finished run (e.g. a
    lecture's pieces, apps/lectures/piece_indexing.py) passes ``status=JobStatus.COMPLETED``.
    """
    with transaction.atomic():
        row = kind.model.objects.select_for_update().filter(pk=pk).first()
        if row is None or row.task_id != token or row.status != status:
            raise Superseded(f"{kind.name} {pk}: run {token[:8]} is no longer current")
        yield row


def mark_completed(kind: JobKind, row: BackgroundJob, *, step: str = "Ready") -> None:
    """Inside ``current_run``: the job is done (the caller has set its own result fields on ``row``)."""
    finished = timezone.now()
    row.status = JobStatus.COMPLETED
    row.processed_at = finished
    if row.processing_started_at:
        row.processing_time = round((finished - row.processing_started_at).total_seconds(), 3)
    row.progress_percent = 100
    row.progress_step = step
    row.save()
    push_after_commit(kind, row)


def fail(kind: JobKind, pk: int, token: str, code: str, message: str) -> bool:
    """End the current run as failed; a superseded run's failure is dropped (returns False)."""
    try:
        with current_run(kind, pk, token) as row:
            row.status = JobStatus.FAILED
            row.error_code = code[:32]
            row.error_message = message
            row.progress_step = ""
            row.processed_at = timezone.now()
            row.save()
            push_after_commit(kind, row)
    except Superseded:
        log.info("%s %s: dropped the failure %s of a superseded run", kind.name, pk, code)
        return False
    return True


class Heartbeat:
    """Touches heartbeat_at while a run is alive, so stale-run detection can tell a dead worker apart."""

    def __init__(self, kind: JobKind, pk: int, token: str):
        self.kind, self.pk, self.token = kind, pk, token
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True, name=f"heartbeat-{kind.name}-{pk}")

    def _beat(self):
        try:
            while not self._stop.wait(HEARTBEAT_EVERY_S):
                self.kind.model.objects.filter(pk=self.pk, status=JobStatus.PROCESSING, task_id=self.token).update(
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


class ProgressTracker:
    """Maps a job's stages onto one percentage, stores it on the row and pushes it, a few times a second."""

    def __init__(self, kind: JobKind, row: BackgroundJob, min_interval_s: float = 0.3):
        self.kind = kind
        self.row = row
        self.token = row.task_id
        self.min_interval_s = min_interval_s
        self._last = 0.0

    def update(self, stage: str, done: int, total: int, step: str, *, force: bool = False) -> None:
        start, end = self.kind.stages[stage]
        fraction = (done / total) if total else 1.0
        percent = int(start + (end - start) * min(max(fraction, 0.0), 1.0))
        now = time.monotonic()
        if not force and now - self._last < self.min_interval_s and percent < 100:
            return
        self._last = now
        fields = {
            "progress_percent": max(percent, self.row.progress_percent),
            "progress_step": step[:120],
            "heartbeat_at": timezone.now(),
        }
        if stage in self.kind.counted_stages:
            fields.update(progress_page=done, progress_total=total)
        updated = self.kind.model.objects.filter(
            pk=self.row.pk, task_id=self.token, status=JobStatus.PROCESSING
        ).update(**fields)
        if not updated:
            raise Superseded(f"{self.kind.name} {self.row.pk}: run {self.token[:8]} is no longer current")
        for key, value in fields.items():
            setattr(self.row, key, value)
        self.kind.push(self.row)


def execute(kind: JobKind, pk: int, token: str, work: Callable[[Any, ProgressTracker], Any]) -> str:
    """Run ``work(row, tracker)`` as the job's current run; the body of every job's task.

    ``work`` stores its result inside ``current_run`` and calls ``mark_completed``; it raises ``JobFailed``
    for a reason the student should read. Anything else fails the job with a generic message (and a log).
    Returns "completed", "superseded" or the failure code.
    """
    close_old_connections()
    row = claim(kind, pk, token)
    if row is None:
        return "superseded"
    started = time.monotonic()
    result, outcome = _run(kind, pk, token, row, work)
    metrics.job_finished(kind.name, outcome, time.monotonic() - started)
    return result


def _run(
    kind: JobKind, pk: int, token: str, row: BackgroundJob, work: Callable[[Any, ProgressTracker], Any]
) -> tuple[str, str]:
    """(what ``execute`` returns, the outcome counted: completed, failed or superseded)."""
    tracker = ProgressTracker(kind, row)
    try:
        with Heartbeat(kind, pk, token):
            work(row, tracker)
    except Superseded:
        log.info("%s %s: run %s was superseded", kind.name, pk, token[:8])
        return "superseded", "superseded"
    except JobFailed as exc:
        log.info("%s %s failed: %s", kind.name, pk, exc.code)
        return exc.code, _fail_counted(kind, pk, token, exc.code, exc.message)
    except Exception:
        log.exception("%s %s: unexpected failure", kind.name, pk)
        return "internal", _fail_counted(kind, pk, token, "internal", kind.internal_message)
    return "completed", "completed"


def _fail_counted(kind: JobKind, pk: int, token: str, code: str, message: str) -> str:
    if not fail(kind, pk, token, code, message):
        return "superseded"  # a replacement run owns the job now; this failure changed nothing
    metrics.job_failed(kind.name, code)
    return "failed"


# --- recovery ------------------------------------------------------------------------------------------


def recover_stale(kind: JobKind) -> dict:
    """Jobs whose worker stopped reporting (it died or was killed) are queued again, or failed after
    ``max_attempts``. Runs on a schedule. A requeued run gets a new token, so a late delivery of the dead
    run's task — or the dead run itself, if it was only slow — finds itself superseded."""
    cutoff = timezone.now() - timedelta(seconds=kind.stale_after_s())
    requeued, failed = [], []
    with transaction.atomic():
        stale = kind.model.objects.select_for_update(skip_locked=True).filter(
            status=JobStatus.PROCESSING, heartbeat_at__lt=cutoff
        )
        for row in stale:
            if row.attempts >= kind.max_attempts():
                row.status = JobStatus.FAILED
                row.error_code = "timeout"
                row.error_message = kind.stale_message
                row.progress_step = ""
                row.task_id = ""
                row.save()
                failed.append(row.pk)
            else:
                reset_for_processing(row, step="Restarting after an interruption")
                row.save()
                requeued.append(row.pk)
                enqueue_after_commit(kind, row.pk)
            push_after_commit(kind, row)
    if failed:
        metrics.job_failed(kind.name, "timeout", len(failed))
    if requeued or failed:
        log.warning("stale %s jobs: requeued %s, failed %s", kind.name, requeued, failed)
    _resend_lost(kind)
    return {"requeued": requeued, "failed": failed}


# A pending job whose task never reached the queue (the queue could not be written when its upload or retry
# committed) would wait for good; one still waiting this long after it was first seen waiting is sent again.
PENDING_RESEND_AFTER_S = 600


def _resend_lost(kind: JobKind) -> list[int]:
    """Send the task of long-pending jobs again, with their current run token: if the first task is only late
    (a long queue), the two claim the run once (``claim`` wants a pending row with that token) and the job keeps
    its place in the queue. A pending job is stamped (``heartbeat_at``) when first seen waiting, and again when
    resent, so each is resent at most once per period."""
    now = timezone.now()
    kind.model.objects.filter(status=JobStatus.PENDING, heartbeat_at__isnull=True).update(heartbeat_at=now)
    cutoff = now - timedelta(seconds=max(PENDING_RESEND_AFTER_S, kind.stale_after_s()))
    with transaction.atomic():
        lost = list(
            kind.model.objects.select_for_update(skip_locked=True)
            .filter(status=JobStatus.PENDING, heartbeat_at__lt=cutoff)
            .values_list("pk", "task_id")
        )
        kind.model.objects.filter(pk__in=[pk for pk, _ in lost]).update(heartbeat_at=now)
    for pk, token in lost:
        if token:
            _send(kind, pk, token)
        else:
            enqueue(kind, pk)
    if lost:
        log.warning("%s jobs pending since %s: task sent again for %s", kind.name, cutoff, [pk for pk, _ in lost])
    return [pk for pk, _ in lost]
