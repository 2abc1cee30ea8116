"""Reads of lectures, pages, figures and chunks, always scoped to the asking user (404 otherwise)."""

from django.shortcuts import get_object_or_404

from apps.lectures.models import Figure, Lecture, LecturePage, LectureRole


def lectures_for_user(user):
    return Lecture.objects.filter(owner=user).select_related("subject")


def lectures_for_subject(user, subject):
    """The subject's lecture material (uploaded exams are listed apart, see ``exams_for_subject``)."""
    return lectures_for_user(user).filter(subject=subject, role=LectureRole.LECTURE)


def exams_for_subject(user, subject):
    return lectures_for_user(user).filter(subject=subject, role=LectureRole.EXAM)


def get_lecture_for_user(user, pk) -> Lecture:
    return get_object_or_404(lectures_for_user(user), pk=pk)


def get_page_for_user(user, lecture_pk, number) -> LecturePage:
    return get_object_or_404(LecturePage.objects.filter(lecture__owner=user), lecture_id=lecture_pk, number=number)


def get_figure_for_user(user, lecture_pk, figure_pk) -> Figure:
    return get_object_or_404(Figure.objects.filter(lecture__owner=user), lecture_id=lecture_pk, pk=figure_pk)
