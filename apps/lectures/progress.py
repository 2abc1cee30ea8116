"""Lecture progress: stored on the row (so a reload shows it) and pushed to the owner's open pages."""

import time

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

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


def push_status_after_commit(lecture: Lecture) -> None:
    transaction.on_commit(lambda: push_status(lecture))


class ProgressTracker:
    """Maps pipeline stages onto one percentage, and throttles writes and pushes to a few per second."""

    STAGES = {"extract": (2, 70), "store": (70, 78), "embed": (78, 98), "done": (100, 100)}

    def __init__(self, lecture: Lecture, min_interval_s: float = 0.3):
        self.lecture = lecture
        self.min_interval_s = min_interval_s
        self._last = 0.0

    def update(self, stage: str, done: int, total: int, step: str, *, force: bool = False) -> None:
        start, end = self.STAGES[stage]
        fraction = (done / total) if total else 1.0
        percent = int(start + (end - start) * min(max(fraction, 0.0), 1.0))
        now = time.monotonic()
        if not force and now - self._last < self.min_interval_s and percent < 100:
            return
        self._last = now
        fields = {
            "progress_percent": max(percent, self.lecture.progress_percent),
            "progress_step": step[:120],
            "heartbeat_at": timezone.now(),
        }
        if stage == "extract":
            fields.update(progress_page=done, progress_total=total)
        Lecture.objects.filter(pk=self.lecture.pk).update(**fields)
        for key, value in fields.items():
            setattr(self.lecture, key, value)
        push_status(self.lecture)
