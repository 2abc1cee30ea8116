"""Recurring jobs, created or updated after every migrate (idempotent)."""

from django.db.models.signals import post_migrate
from django.dispatch import receiver

SCHEDULES = [
    # name, function, schedule type, minutes
    ("recover-stale-lectures", "apps.lectures.tasks.recover_stale_lectures", "I", 1),
    ("recover-stale-documents", "apps.documents.tasks.recover_stale_documents", "I", 1),
    ("recover-stale-card-generations", "apps.flashcards.tasks.recover_stale_generations", "I", 1),
    # FSRS parameters fitted to each user's own reviews once there are enough (skips without the optimizer).
    ("optimise-fsrs-parameters", "apps.flashcards.tasks.optimise_parameters", "W", 1),
    # After EMBEDDING_BACKEND/EMBEDDING_MODEL change: re-embed old lectures instead of mixing vector spaces.
    ("reembed-stale-lectures", "apps.lectures.tasks.reembed_stale_lectures", "I", 10),
    # Links past their expiry (they already stopped working; this removes the rows) and old rate-limit events.
    ("delete-expired-share-links", "apps.sharing.tasks.delete_expired_links", "D", 1),
    # Study sessions older than a year leave the dashboard (kept, not deleted).
    ("archive-old-study-sessions", "apps.study.tasks.archive_old_sessions", "D", 1),
    # Files no row references, rows whose file is gone, old failed tasks (apps/core/cleanup.py).
    ("clean-up-storage", "apps.core.tasks.clean_up_storage", "W", 1),
]


@receiver(post_migrate)
def ensure_schedules(sender, using="default", **kwargs):
    if sender.name != "apps.core":
        return
    from django_q.models import Schedule

    for name, func, kind, minutes in SCHEDULES:
        Schedule.objects.using(using).update_or_create(
            name=name, defaults={"func": func, "schedule_type": kind, "minutes": minutes, "repeats": -1}
        )
