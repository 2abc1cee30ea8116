"""Lecture progress: stored on the row (so a reload shows it) and pushed to the owner's open pages."""

from django.template.loader import render_to_string

from apps.core.realtime import push_to_user
from apps.lectures.models import Lecture


def render_status(lecture: Lecture, *, oob: bool = True) -> str:
    return render_to_string("lectures/_status.html", {"lecture": lecture, "oob": oob})


def push_status(lecture: Lecture) -> None:
    data = {
        "lecture": lecture.pk,
        "status": lecture.status,
        "percent": lecture.progress_percent,
        "step": lecture.progress_step,
        "page": lecture.progress_page,
        "total": lecture.progress_total,
        "error_code": lecture.error_code,
    }
    push_to_user(lecture.owner_id, "lecture.status", html=render_status(lecture), data=data)
