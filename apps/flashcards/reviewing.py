"""Grading, undo and review sittings: the only writes to a card's scheduling state.

The scheduler itself is the Django-free ``apps.flashcards.scheduling``; this module copies a row into its
``CardState``, asks for a grade and writes the result back under a row lock. A grade names the
``review_count`` the page showed, so a double submit (or a second tab) grades a card once.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Profile
from apps.flashcards import scheduling
from apps.flashcards.models import Flashcard, ReviewLog
from apps.study import services as study

SITTING_IDLE = study.SITTING_IDLE
STATE_FIELDS = (
    "due_at",
    "last_reviewed_at",
    "repetitions",
    "interval_days",
    "ease_factor",
    "fsrs_state",
    "fsrs_step",
    "stability",
    "difficulty",
)


def profile_of(user) -> Profile:
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


def scheduler_for_profile(profile: Profile):
    return scheduling.scheduler_for(
        profile.srs_algorithm, desired_retention=profile.desired_retention, parameters=profile.fsrs_parameters
    )


def state_of(card: Flashcard) -> scheduling.CardState:
    return scheduling.CardState(
        due=card.due_at,
        last_review=card.last_reviewed_at,
        repetitions=card.repetitions,
        interval_days=card.interval_days,
        ease_factor=card.ease_factor,
        fsrs_state=card.fsrs_state,
        fsrs_step=card.fsrs_step,
        stability=card.stability,
        difficulty=card.difficulty,
    )


def apply_state(card: Flashcard, state: scheduling.CardState) -> None:
    card.due_at = state.due
    card.last_reviewed_at = state.last_review
    card.repetitions = state.repetitions
    card.interval_days = min(int(state.interval_days), 2**31 - 1)
    card.ease_factor = max(state.ease_factor, 1.3)
    card.fsrs_state = state.fsrs_state
    card.fsrs_step = state.fsrs_step
    card.stability = state.stability
    card.difficulty = state.difficulty


def _snapshot(card: Flashcard) -> dict:
    values = {name: getattr(card, name) for name in STATE_FIELDS}
    return {name: (v.isoformat() if hasattr(v, "isoformat") else v) for name, v in values.items()}


def _restore(card: Flashcard, snapshot: dict) -> None:
    from django.utils.dateparse import parse_datetime

    for name in STATE_FIELDS:
        value = snapshot.get(name)
        if name in ("due_at", "last_reviewed_at") and value:
            value = parse_datetime(value)
        setattr(card, name, value)


def preview_intervals(card: Flashcard, scheduler, now=None) -> list[dict]:
    """The four answer buttons with the interval each would give ("Good · 4d")."""
    now = now or timezone.now()
    intervals = scheduler.preview(state_of(card), now)
    return [
        {"rating": rating, "label": label, "interval": scheduling.format_interval(intervals[rating])}
        for rating, label in scheduler.ratings()
    ]


class ReviewConflict(Exception):  # noqa: N818
    """The card changed since the page showed it (graded in another tab, deleted, or a double submit)."""


def grade_card(
    *,
    actor,
    card_id: int,
    rating: int,
    seen_count: int,
    duration_ms: int | None = None,
    scope_subject_id=None,
    now=None,
    profile: Profile | None = None,
) -> ReviewLog:
    """Grade one card (rating 1-4 on the buttons). Raises ``Flashcard.DoesNotExist`` for another user's or
    a deleted card and ``ReviewConflict`` when the card was graded since the page showed it. ``profile``: the
    actor's, when the caller has already loaded it (saves a query)."""
    now = now or timezone.now()
    profile = profile or profile_of(actor)
    scheduler = scheduler_for_profile(profile)
    with transaction.atomic():
        card = Flashcard.objects.select_for_update().select_related("subject").get(pk=card_id, owner=actor)
        if card.review_count != seen_count:
            raise ReviewConflict(card.pk)
        was_new = card.review_count == 0 and card.last_reviewed_at is None
        previous = _snapshot(card)
        result = scheduler.grade(state_of(card), rating, now)
        state = result.state
        if card.subject.exam_date:
            state = scheduling.fit_to_exam(state, None, now, card.subject.exam_date, tz=settings.TIME_ZONE)
        apply_state(card, state)
        card.review_count += 1
        card.save(update_fields=[*STATE_FIELDS, "review_count", "updated_at"])
        session = study.flashcard_sitting(user=actor, subject_id=scope_subject_id, at=now)
        log = ReviewLog.objects.create(
            card=card,
            owner=actor,
            algorithm=result.algorithm,
            rating=result.rating,
            duration_ms=min(duration_ms, 3_600_000) if duration_ms and duration_ms > 0 else None,
            due_before=result.due_before,
            due_after=state.due,
            interval_days=(state.due - now).total_seconds() / 86400 if state.due else None,
            was_new=was_new,
            state=state.fsrs_state,
            stability=state.stability,
            difficulty=state.difficulty,
            previous=previous,
            session=session,
        )
        study.count_review(session, now, rating)
    return log


def undo_last(*, actor, session_id=None) -> Flashcard | None:
    """Undo the most recent grade of the actor's open sitting: the card gets its state back exactly and the
    log row goes. Returns the card to show again, or None when there is nothing to undo."""
    with transaction.atomic():
        logs = ReviewLog.objects.select_for_update().filter(owner=actor)
        if session_id:
            logs = logs.filter(session_id=session_id)
        log = logs.order_by("-pk").first()
        if log is None or not log.previous:
            return None
        card = Flashcard.objects.select_for_update().get(pk=log.card_id)
        _restore(card, log.previous)
        card.review_count = max(0, card.review_count - 1)
        card.save(update_fields=[*STATE_FIELDS, "review_count", "updated_at"])
        if log.session_id:
            study.uncount_review(log.session_id, timezone.now(), _button_of(log))
        log.delete()
    return card


def _button_of(log: ReviewLog) -> int:
    """The 1-4 button a log row came from (SM-2 rows store the quality)."""
    if log.algorithm == "sm2":
        return {0: 1, 1: 1, 2: 1, 3: 2, 4: 3, 5: 4}.get(log.rating, 3)
    return log.rating


def switch_algorithm(*, actor, algorithm: str) -> int:
    """Rebuild every card's state under ``algorithm`` from its review log (history is kept as it is)."""
    profile = profile_of(actor)
    profile.srs_algorithm = algorithm
    now = timezone.now()
    changed = 0
    with transaction.atomic():
        profile.save(update_fields=["srs_algorithm", "updated_at"])
        logs: dict[int, list] = {}
        for row in (
            ReviewLog.objects.filter(owner=actor)
            .order_by("reviewed_at", "pk")
            .values("card_id", "rating", "reviewed_at", "algorithm", "duration_ms")
        ):
            logs.setdefault(row["card_id"], []).append(
                scheduling.ReviewEvent(
                    rating=row["rating"],
                    reviewed_at=row["reviewed_at"],
                    algorithm=row["algorithm"],
                    card_id=row["card_id"],
                    duration_ms=row["duration_ms"],
                )
            )
        cards = list(
            Flashcard.objects.select_for_update().select_related("subject").filter(owner=actor, pk__in=list(logs))
        )
        for card in cards:
            # scheduling.replay has fuzz off: the same log always rebuilds the same state
            state = scheduling.replay(
                algorithm,
                logs[card.pk],
                desired_retention=profile.desired_retention,
                parameters=profile.fsrs_parameters,
            )
            if card.subject.exam_date:
                state = scheduling.fit_to_exam(state, None, now, card.subject.exam_date, tz=settings.TIME_ZONE)
            apply_state(card, state)
            changed += 1
        Flashcard.objects.bulk_update(cards, list(STATE_FIELDS), batch_size=500)
    return changed
