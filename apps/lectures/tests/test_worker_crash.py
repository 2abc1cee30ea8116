"""A worker killed in the middle of a lecture: the lecture is detected as stale, retried and completed."""

import time

import pytest

from apps.lectures import services
from apps.lectures.models import Lecture, LectureStatus
from apps.lectures.tests.helpers import upload_file
from tests.processes import kill_hard, running_worker, wait_for

pytestmark = [pytest.mark.django_db(transaction=True, databases="__all__"), pytest.mark.slow]


def test_a_killed_worker_does_not_leave_the_lecture_stuck(fixtures_dir, user, subject, settings, tmp_path):
    lecture = upload_file(user, subject, fixtures_dir / "scans/ocrmypdf_cardinal.pdf")
    first_token = Lecture.objects.get(pk=lecture.pk).task_id

    def state():
        return Lecture.objects.values("status", "progress_page", "task_id", "attempts").get(pk=lecture.pk)

    with running_worker(tmp_path / "worker-1.log", WORKER_PROCESSES="1", OCR_PROCESSES="1") as worker:
        wait_for(lambda: state()["status"] == "processing" and state()["progress_page"] >= 1, 120, "OCR to start")
        kill_hard(worker)

    time.sleep(2)
    assert state()["status"] == LectureStatus.PROCESSING  # stuck: nobody will finish it

    settings.INGEST_STALE_AFTER_S = 3
    wait_for(lambda: services.recover_stale_lectures()["requeued"] == [lecture.pk], 30, "stale detection")
    requeued = state()
    assert requeued["status"] == LectureStatus.PENDING
    assert requeued["task_id"] != first_token

    with running_worker(tmp_path / "worker-2.log", WORKER_PROCESSES="1"):
        wait_for(lambda: state()["status"] in ("completed", "failed"), 180, "the retried run to finish")

    lecture.refresh_from_db()
    assert lecture.status == LectureStatus.COMPLETED, (tmp_path / "worker-2.log").read_text()[-3000:]
    assert lecture.page_count == 4
    assert lecture.attempts == 2


def test_a_lecture_that_keeps_dying_ends_failed_with_a_reason(user, subject, settings):
    from django.utils import timezone

    lecture = Lecture.objects.create(
        owner=user,
        subject=subject,
        name="x",
        original_filename="x.pdf",
        file_type="pdf",
        status=LectureStatus.PROCESSING,
        attempts=settings.INGEST_MAX_ATTEMPTS,
        heartbeat_at=timezone.now() - timezone.timedelta(hours=1),
    )
    assert services.recover_stale_lectures() == {"requeued": [], "failed": [lecture.pk]}
    lecture.refresh_from_db()
    assert lecture.status == LectureStatus.FAILED
    assert lecture.error_code == "timeout"
    assert "Retry" in lecture.error_message


def test_the_stale_check_is_scheduled():
    from django.apps import apps
    from django_q.models import Schedule

    from apps.core.schedules import ensure_schedules

    ensure_schedules(sender=apps.get_app_config("core"))
    schedule = Schedule.objects.get(name="recover-stale-lectures")
    assert schedule.func == "apps.lectures.tasks.recover_stale_lectures"
    assert schedule.minutes == 1
