"""Flashcard generation as a job of the shared runner (apps/jobs)."""

from django.conf import settings

from apps.flashcards.models import CardGeneration
from apps.flashcards.progress import push_status
from apps.jobs.runner import JobKind

GENERATE_CARDS = JobKind(
    name="cards",
    model=CardGeneration,
    task="apps.flashcards.tasks.generate_cards",
    push=push_status,
    max_attempts=lambda: settings.GENERATION_MAX_ATTEMPTS,
    stale_after_s=lambda: settings.GENERATION_STALE_AFTER_S,
    stages={"material": (2, 10), "generate": (10, 90), "store": (90, 98)},
    counted_stages=("generate",),
    internal_message="Something went wrong while making flashcards. Your notes and cards are untouched; press Retry.",
    stale_message="Making flashcards stopped unexpectedly several times. Press Retry to try again.",
)
