"""Reads of subjects, always scoped to the asking user."""

from datetime import timedelta

from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from apps.subjects.models import Subject


def subjects_for_user(user):
    from apps.flashcards.models import Flashcard
    from apps.flashcards.selectors import start_of_day
    from apps.lectures.models import Lecture
    from apps.study.models import StudySession

    # cards due today, as on the subject page (apps.flashcards.selectors.due_counts_by_subject)
    end_of_today = start_of_day(timezone.now()) + timedelta(days=1)
    due = (
        Flashcard.objects.filter(lecture__subject=OuterRef("pk"), suspended=False)
        .filter(Q(due_at__isnull=True) | Q(due_at__lt=end_of_today))
        .values("lecture__subject")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last_studied = (
        StudySession.objects.filter(subject=OuterRef("pk")).values("subject").annotate(t=Max("started_at")).values("t")
    )
    # Every figure is a subquery per subject: a join on lectures would repeat the card count once per lecture.
    lectures = Lecture.objects.filter(subject=OuterRef("pk"), role="lecture").values("subject")
    lecture_count = lectures.annotate(n=Count("pk")).values("n")
    pages = lectures.filter(status="completed").annotate(n=Sum("page_count")).values("n")
    return Subject.objects.filter(user=user).annotate(
        lecture_count=Coalesce(Subquery(lecture_count), 0),
        pages_processed=Coalesce(Subquery(pages), 0),
        cards_due=Coalesce(Subquery(due), 0),
        last_studied=Subquery(last_studied),
    )


def get_subject_for_user(user, pk) -> Subject:
    return get_object_or_404(subjects_for_user(user), pk=pk)
