"""Document generation as a job of the shared runner (apps/jobs)."""

from django.conf import settings

from apps.documents.models import GeneratedDocument
from apps.documents.progress import push_status
from apps.jobs.runner import JobKind

GENERATE = JobKind(
    name="generate",
    model=GeneratedDocument,
    task="apps.documents.tasks.generate_document",
    push=push_status,
    max_attempts=lambda: settings.GENERATION_MAX_ATTEMPTS,
    stale_after_s=lambda: settings.GENERATION_STALE_AFTER_S,
    stages={"material": (2, 10), "generate": (10, 88), "build": (88, 98)},
    counted_stages=("generate",),
    internal_message="Something went wrong while generating this document. Your notes are untouched; press Retry.",
    stale_message="Generation stopped unexpectedly several times. Press Retry to try again.",
)
