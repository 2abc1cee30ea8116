"""Reads of flashcards, always scoped to the asking user (another user's card is a 404).

The due queue is a fixed small number of queries whatever the collection size: due cards come from the
partial index (owner, [subject,] due_at) WHERE NOT suspended, new cards from (owner, [subject,] created_at, id)
WHERE NOT suspended AND due_at IS NULL, capped by today's count of first reviews (bench/review.py measures it
at 100k cards).
"""

import math
from datetime import datetime, time, timedelta

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from apps.flashcards.models import CardGeneration, Flashcard, ReviewLog


def cards_for_user(user):
    return Flashcard.objects.filter(owner=user)


def cards_for_lecture(user, lecture, *, query: str = "", state: str = ""):
    cards = cards_for_user(user).filter(lecture=lecture).select_related("figure").order_by("source_page", "pk")
    return _filtered(cards, query, state)


def cards_for_subject(user, subject, *, query: str = "", state: str = ""):
    cards = cards_for_user(user).filter(subject=subject).select_related("lecture", "figure")
    return _filtered(cards.order_by("lecture_id", "source_page", "pk"), query, state)


def _filtered(cards, query: str, state: str):
    query = query.strip()
    if query.startswith("#"):  # "#tag" (the search box's placeholder): cards with that tag
        cards = cards.filter(tags__contains=[query.lstrip("#")]) if query.lstrip("#") else cards
    elif query:
        cards = cards.filter(Q(question__icontains=query) | Q(answer__icontains=query) | Q(tags__contains=[query]))
    if state == "suspended":
        cards = cards.filter(suspended=True)
    elif state == "due":
        cards = cards.filter(suspended=False).filter(Q(due_at__isnull=True) | Q(due_at__lte=timezone.now()))
    elif state == "new":
        cards = cards.filter(review_count=0)
    return cards


def get_card_for_user(user, pk) -> Flashcard:
    return get_object_or_404(cards_for_user(user).select_related("lecture", "subject", "figure"), pk=pk)


def get_generation_for_user(user, pk) -> CardGeneration:
    return get_object_or_404(CardGeneration.objects.filter(owner=user).select_related("lecture"), pk=pk)


def generations_for_lecture(user, lecture):
    return CardGeneration.objects.filter(owner=user, lecture=lecture).order_by("-created_at")


def start_of_day(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return timezone.make_aware(datetime.combine(local.date(), time.min), local.tzinfo)


def new_cards_left_today(user, profile, now=None) -> int:
    now = now or timezone.now()
    introduced = ReviewLog.objects.filter(owner=user, was_new=True, reviewed_at__gte=start_of_day(now)).count()
    return max(0, profile.new_cards_per_day - introduced)


def _scope(user, subject=None):
    cards = Flashcard.objects.filter(owner=user, suspended=False)
    return cards.filter(subject=subject) if subject is not None else cards


def next_cards(user, profile, *, subject=None, now=None, limit: int = 2) -> list[Flashcard]:
    """The next cards to review: due reviews first (most overdue first), then new cards up to today's limit."""
    now = now or timezone.now()
    scope = _scope(user, subject)
    due = list(scope.filter(due_at__lte=now).select_related("lecture", "figure").order_by("due_at", "pk")[:limit])
    if len(due) >= limit:
        return due
    new_left = new_cards_left_today(user, profile, now)
    if not new_left:
        return due
    fresh = scope.filter(due_at__isnull=True).select_related("lecture", "figure").order_by("created_at", "pk")
    return due + list(fresh[: min(limit - len(due), new_left)])


def queue_counts(user, profile, *, subject=None, now=None) -> dict:
    """How much is left in a sitting: reviews due now, new cards available today (capped), and the total.

    Two counts, each a range of a partial index read index-only, rather than one aggregate over every card of
    the collection (a heap visit per card: ~0.2-0.7 s at 100k cards); new cards are counted only up to today's
    allowance, so the cost follows the due reviews, not the collection size."""
    now = now or timezone.now()
    scope = _scope(user, subject).order_by()
    due = scope.filter(due_at__lte=now).count()
    new_left = new_cards_left_today(user, profile, now)
    new = scope.filter(due_at__isnull=True)[:new_left].count() if new_left else 0
    return {"due": due, "new": new, "total": due + new}


def due_counts_by_subject(user, now=None) -> dict[int, dict]:
    """Cards due today (reviews due by the end of today plus new cards) and this week, per subject."""
    now = now or timezone.now()
    end_today = start_of_day(now) + timedelta(days=1)
    rows = (
        _scope(user)
        .values("subject_id")
        .annotate(
            today=Count("pk", filter=Q(due_at__isnull=True) | Q(due_at__lt=end_today)),
            week=Count("pk", filter=Q(due_at__isnull=True) | Q(due_at__lt=end_today + timedelta(days=6))),
        )
    )
    return {row["subject_id"]: {"today": row["today"], "week": row["week"]} for row in rows}


def last_review_in_sitting(user, session) -> ReviewLog | None:
    if session is None:
        return None
    return ReviewLog.objects.filter(owner=user, session=session).select_related("card").order_by("-pk").first()


def card_summary(user, subject, now=None) -> dict:
    """The subject page's flashcard box: cards in all, due today and this week, and with an exam date, how
    many reviews a day it takes to see every card once more before the exam."""
    from django.conf import settings

    from apps.flashcards import scheduling

    now = now or timezone.now()
    counts = due_counts_by_subject(user, now).get(subject.pk, {"today": 0, "week": 0})
    total = Flashcard.objects.filter(owner=user, subject=subject).count()
    summary = {"total": total, **counts, "per_day": None, "days_left": None}
    if subject.exam_date and total:
        due_dates = _scope(user, subject).values_list("due_at", flat=True)
        # rounded up: 7 cards over 3 days take 3 a day (2 would leave one unseen), 1 card over 5 days takes 1
        per_day = scheduling.reviews_per_day(due_dates, now, subject.exam_date, tz=settings.TIME_ZONE)
        summary["per_day"] = math.ceil(per_day)
        summary["days_left"] = scheduling.days_until_exam(now, subject.exam_date, tz=settings.TIME_ZONE)
    return summary
