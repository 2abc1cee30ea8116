"""Lecture ingestion as a job of the shared runner (apps/jobs)."""

from django.conf import settings

from apps.jobs.runner import JobKind
from apps.lectures.models import Lecture
from apps.lectures.progress import push_status

INGEST = JobKind(
    name="ingest",
    model=Lecture,
    task="apps.lectures.tasks.process_lecture",
    push=push_status,
    max_attempts=lambda: settings.INGEST_MAX_ATTEMPTS,
    stale_after_s=lambda: settings.INGEST_STALE_AFTER_S,
    stages={"extract": (2, 70), "store": (70, 78), "embed": (78, 98), "done": (100, 100)},
    counted_stages=("extract",),
    internal_message="Something went wrong while processing this file. The file is kept; press Retry.",
    stale_message="Processing stopped unexpectedly several times. The file is kept; press Retry to try again.",
)
