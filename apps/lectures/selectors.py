"""Reads of lectures, pages, figures and chunks, always scoped to the asking user (404 otherwise)."""

from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404

from apps.lectures.models import Figure, FileType, Lecture, LecturePage, LectureRole
from apps.lectures.pipeline.transcripts import format_timestamp


def lectures_for_user(user):
    return Lecture.objects.filter(owner=user).select_related("subject")


def lectures_for_subject(user, subject):
    """The subject's lecture material (uploaded exams are listed apart, see ``exams_for_subject``)."""
    return lectures_for_user(user).filter(subject=subject, role=LectureRole.LECTURE)


def exams_for_subject(user, subject):
    return lectures_for_user(user).filter(subject=subject, role=LectureRole.EXAM)


def get_lecture_for_user(user, pk) -> Lecture:
    return get_object_or_404(lectures_for_user(user), pk=pk)


PAGE_BATCH = 24
EXCERPT_CHARS = 600


def page_batch(lecture: Lecture, *, after: int = 0, size: int = PAGE_BATCH) -> tuple[list[LecturePage], int | None]:
    """The next ``size`` pages of an already owner-checked lecture after page number ``after``, each with an
    ``excerpt`` cut in the database (a book's full text never leaves PostgreSQL for its page list), and the number
    to continue after (None on the last batch)."""
    rows = list(
        lecture.pages.filter(number__gt=after)
        .defer("text", "notes")
        .annotate(excerpt=Substr("text", 1, EXCERPT_CHARS + 1))
        .order_by("number")[: size + 1]
    )
    more = len(rows) > size
    rows = rows[:size]
    for row in rows:
        row.excerpt_cut = len(row.excerpt) > EXCERPT_CHARS
        row.excerpt = row.excerpt[:EXCERPT_CHARS].rstrip()
    return rows, (rows[-1].number if more and rows else None)


def get_page_for_user(user, lecture_pk, number) -> LecturePage:
    return get_object_or_404(LecturePage.objects.filter(lecture__owner=user), lecture_id=lecture_pk, number=number)


def neighbour_pages(user, page: LecturePage) -> tuple[LecturePage | None, LecturePage | None]:
    """The pages just before and after ``page`` in its lecture (a transcript's surrounding time windows)."""
    rows = {
        p.number: p
        for p in LecturePage.objects.filter(
            lecture__owner=user, lecture_id=page.lecture_id, number__in=(page.number - 1, page.number + 1)
        )
    }
    return rows.get(page.number - 1), rows.get(page.number + 1)


def page_label(lecture: Lecture, number: int) -> str:
    """ "p. 7", or "12:34" when the lecture is a transcript or recording (one query only for those)."""
    if lecture.file_type in (FileType.TRANSCRIPT, FileType.AUDIO):
        start = (
            LecturePage.objects.filter(lecture=lecture, number=number).values_list("start_seconds", flat=True).first()
        )
        if start is not None:
            return format_timestamp(start)
    return f"p. {number}"


def page_times(user, pairs) -> dict[tuple[int, int], str]:
    """ "12:34" start times of the time-window pages (transcripts, recordings) among ``(lecture_id, page)``
    pairs of ``user``'s lectures; pages of documents are absent."""
    pairs = set(pairs)
    rows = LecturePage.objects.filter(
        lecture__owner=user,
        lecture_id__in={lecture_id for lecture_id, _ in pairs},
        number__in={number for _, number in pairs},
        start_seconds__isnull=False,
    ).values_list("lecture_id", "number", "start_seconds")
    return {(lid, n): format_timestamp(start) for lid, n, start in rows if (lid, n) in pairs}


def get_figure_for_user(user, lecture_pk, figure_pk) -> Figure:
    return get_object_or_404(Figure.objects.filter(lecture__owner=user), lecture_id=lecture_pk, pk=figure_pk)
