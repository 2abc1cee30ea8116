"""Flashcard writes that are not about one card or one grade: generation jobs, study settings, exam dates,
parameter optimisation. Card edits live in cards.py, grading in reviewing.py, Anki files in anki_io.py."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Profile
from apps.flashcards import scheduling
from apps.flashcards.jobs import GENERATE_CARDS
from apps.flashcards.models import CardGeneration, ReviewLog
from apps.jobs import runner
from apps.jobs.models import JobStatus
from apps.lectures.models import LectureRole, LectureStatus

log = logging.getLogger(__name__)
CARDS_MIN, CARDS_MAX, CARDS_DEFAULT = 5, 100, 30


class FlashcardsRefused(ValueError):
    def __init__(self, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def request_generation(*, actor, lecture, count=CARDS_DEFAULT, pages=None) -> CardGeneration:
    """Queue "make flashcards from this lecture" (``pages``: only from these, e.g. the weakest ones); a click
    while one is running returns that one."""
    if lecture.owner_id != actor.pk:
        raise PermissionError("not yours")
    if lecture.status != LectureStatus.COMPLETED or lecture.role != LectureRole.LECTURE:
        raise FlashcardsRefused(f"“{lecture.name}” is not ready yet: wait until it has been read.")
    try:
        count = int(count)
    except (TypeError, ValueError):
        count = 0
    if not CARDS_MIN <= count <= CARDS_MAX:
        raise FlashcardsRefused(f"Choose between {CARDS_MIN} and {CARDS_MAX} cards.")
    with transaction.atomic():
        Profile.objects.select_for_update().get_or_create(user=actor)
        busy = CardGeneration.objects.filter(
            lecture=lecture, status__in=(JobStatus.PENDING, JobStatus.PROCESSING)
        ).first()
        if busy is not None:
            return busy
        since = timezone.now() - timedelta(hours=1)
        recent = CardGeneration.objects.filter(owner=actor, created_at__gte=since)
        limit = settings.GENERATION_RATE_PER_HOUR
        if recent.count() >= limit:
            oldest = recent.order_by("created_at").values_list("created_at", flat=True).first()
            wait_s = max(60, int((oldest + timedelta(hours=1) - timezone.now()).total_seconds()))
            raise FlashcardsRefused(
                f"You can make flashcards {limit} times per hour. Try again in {(wait_s + 59) // 60} min.",
                retry_after=wait_s,
            )
        generation = CardGeneration.objects.create(
            owner=actor,
            lecture=lecture,
            requested=count,
            pages=sorted({int(p) for p in pages or []}),
            progress_step="Waiting for a worker",
        )
        runner.enqueue_after_commit(GENERATE_CARDS, generation.pk)
        runner.push_after_commit(GENERATE_CARDS, generation)
    return generation


def retry_generation(*, actor, generation: CardGeneration) -> CardGeneration:
    if generation.owner_id != actor.pk:
        raise PermissionError("not yours")
    return runner.requeue(GENERATE_CARDS, generation.pk)


def recover_stale_generations() -> dict:
    return runner.recover_stale(GENERATE_CARDS)


def set_exam_date(*, actor, subject, exam_date) -> None:
    if subject.user_id != actor.pk:
        raise PermissionError("not yours")
    if exam_date is not None and exam_date < timezone.localdate():
        raise FlashcardsRefused("The exam date is in the past.")
    subject.exam_date = exam_date
    subject.save(update_fields=["exam_date", "updated_at"])


def optimise_all_parameters() -> dict:
    """Fit FSRS parameters to each user's own review log once they have enough reviews (scheduled weekly).
    Skips cleanly when the optional optimizer (torch) is not installed."""
    if not scheduling.optimizer_available():
        return {"skipped": "the fsrs optimizer is not installed"}
    done = []
    owners = ReviewLog.objects.filter(algorithm="fsrs").values_list("owner_id", flat=True).distinct()
    for owner_id in owners:
        events = [
            scheduling.ReviewEvent(
                rating=r["rating"],
                reviewed_at=r["reviewed_at"],
                algorithm="fsrs",
                card_id=r["card_id"],
                duration_ms=r["duration_ms"],
            )
            for r in ReviewLog.objects.filter(owner_id=owner_id, algorithm="fsrs")
            .order_by("reviewed_at")
            .values("rating", "reviewed_at", "card_id", "duration_ms")
        ]
        parameters = scheduling.optimize_parameters(events)
        if parameters:
            Profile.objects.filter(user_id=owner_id).update(fsrs_parameters=list(parameters))
            done.append(owner_id)
    return {"optimised": done}
