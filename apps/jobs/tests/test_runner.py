"""The shared job runner, exercised through lecture ingestion (its first job kind)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.jobs import runner
from apps.jobs.models import JobStatus
from apps.lectures import ingest
from apps.lectures.jobs import INGEST
from apps.lectures.models import Chunk, Lecture
from tests.factories import LectureFactory

# execute() starts like a worker (close_old_connections), which needs real transactions.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_queue(monkeypatch):
    """Record what would be queued instead of talking to django-q2."""
    queued = []
    monkeypatch.setattr(runner, "enqueue", lambda kind, pk: queued.append((kind.name, pk)) or "t")
    return queued


def _claimed(token="run-a"):
    lecture = LectureFactory(task_id=token)
    assert runner.claim(INGEST, lecture.pk, token) is not None
    return Lecture.objects.get(pk=lecture.pk)


def _supersede(lecture, new_token="run-b"):
    """What recovery + a second worker do while the first run is still alive: a new current run."""
    Lecture.objects.filter(pk=lecture.pk).update(task_id=new_token, status=JobStatus.PROCESSING)


def test_claim_takes_a_pending_job_once():
    lecture = LectureFactory(task_id="run-a")
    assert runner.claim(INGEST, lecture.pk, "run-a").status == JobStatus.PROCESSING
    assert runner.claim(INGEST, lecture.pk, "run-a") is None
    assert Lecture.objects.get(pk=lecture.pk).attempts == 1


def test_claim_refuses_another_runs_token():
    lecture = LectureFactory(task_id="run-a")
    assert runner.claim(INGEST, lecture.pk, "run-old") is None
    assert Lecture.objects.get(pk=lecture.pk).status == JobStatus.PENDING


def test_a_superseded_run_cannot_store_over_its_replacement():
    lecture = _claimed("run-a")
    _supersede(lecture)
    with pytest.raises(runner.Superseded):
        ingest.store(lecture, pages=[], drafts=[], vectors=[], model_id="m")
    fresh = Lecture.objects.get(pk=lecture.pk)
    assert (fresh.status, fresh.task_id, fresh.embedding_model) == (JobStatus.PROCESSING, "run-b", "")


def test_a_superseded_run_cannot_fail_its_replacement():
    lecture = _claimed("run-a")
    _supersede(lecture)
    assert runner.fail(INGEST, lecture.pk, "run-a", "internal", "boom") is False
    fresh = Lecture.objects.get(pk=lecture.pk)
    assert (fresh.status, fresh.error_code) == (JobStatus.PROCESSING, "")


def test_a_superseded_run_stops_at_its_next_progress_update():
    lecture = _claimed("run-a")
    tracker = runner.ProgressTracker(INGEST, lecture)
    tracker.update("extract", 1, 4, "page 1", force=True)
    _supersede(lecture)
    with pytest.raises(runner.Superseded):
        tracker.update("extract", 2, 4, "page 2", force=True)
    assert Lecture.objects.get(pk=lecture.pk).progress_page == 1


def test_execute_reports_superseded_when_the_work_was_replaced_midway():
    lecture = LectureFactory(task_id="run-a")

    def work(row, tracker):
        _supersede(row)
        with runner.current_run(INGEST, row.pk, row.task_id):
            pytest.fail("a superseded run entered current_run")

    assert runner.execute(INGEST, lecture.pk, "run-a", work) == "superseded"
    assert Lecture.objects.get(pk=lecture.pk).status == JobStatus.PROCESSING


def test_execute_turns_job_failed_into_a_readable_failure():
    lecture = LectureFactory(task_id="run-a")

    def work(row, tracker):
        raise runner.JobFailed("no_text", "No text was found.")

    assert runner.execute(INGEST, lecture.pk, "run-a", work) == "no_text"
    fresh = Lecture.objects.get(pk=lecture.pk)
    assert (fresh.status, fresh.error_code, fresh.error_message) == ("failed", "no_text", "No text was found.")


def test_execute_hides_an_unexpected_error_behind_the_kinds_message():
    lecture = LectureFactory(task_id="run-a")

    def work(row, tracker):
        raise RuntimeError("secret internals")

    assert runner.execute(INGEST, lecture.pk, "run-a", work) == "internal"
    fresh = Lecture.objects.get(pk=lecture.pk)
    assert fresh.status == "failed" and "secret" not in fresh.error_message and "Retry" in fresh.error_message


def test_completed_work_records_time_and_percent():
    lecture = LectureFactory(task_id="run-a")

    def work(row, tracker):
        with runner.current_run(INGEST, row.pk, row.task_id):
            runner.mark_completed(INGEST, row)

    assert runner.execute(INGEST, lecture.pk, "run-a", work) == "completed"
    fresh = Lecture.objects.get(pk=lecture.pk)
    assert fresh.status == "completed" and fresh.progress_percent == 100 and fresh.processing_time is not None


def test_requeue_of_a_busy_job_queues_nothing(_no_queue):
    lecture = LectureFactory(task_id="run-a")  # pending
    runner.requeue(INGEST, lecture.pk)
    assert _no_queue == []


def test_requeue_of_a_failed_job_resets_it_and_runs_prepare_under_the_lock(_no_queue):
    lecture = LectureFactory(status="failed", error_code="internal", attempts=3)
    prepared = []
    runner.requeue(INGEST, lecture.pk, prepare=lambda row: prepared.append(row.pk))
    fresh = Lecture.objects.get(pk=lecture.pk)
    assert (fresh.status, fresh.error_code, fresh.attempts) == ("pending", "", 0)
    assert prepared == [lecture.pk] and _no_queue == [("ingest", lecture.pk)]


def test_recovery_requeues_a_stale_job_and_fails_one_out_of_attempts(settings, _no_queue):
    old = timezone.now() - timedelta(hours=1)
    retried = LectureFactory(status="processing", attempts=1, heartbeat_at=old, task_id="dead-1")
    spent = LectureFactory(status="processing", attempts=settings.INGEST_MAX_ATTEMPTS, heartbeat_at=old, task_id="d2")
    alive = LectureFactory(status="processing", attempts=1, heartbeat_at=timezone.now(), task_id="alive")
    result = runner.recover_stale(INGEST)
    assert result == {"requeued": [retried.pk], "failed": [spent.pk]}
    assert _no_queue == [("ingest", retried.pk)]
    assert Lecture.objects.get(pk=alive.pk).status == "processing"
    # The failed job's dead run can no longer write: its token is gone.
    assert runner.fail(INGEST, spent.pk, "d2", "internal", "late") is False
    assert Lecture.objects.get(pk=spent.pk).error_code == "timeout"


def test_a_superseded_store_leaves_the_replacements_chunks(user, subject):
    lecture = _claimed("run-a")
    Chunk.objects.create(
        owner=lecture.owner, subject=lecture.subject, lecture=lecture, page=1, chunk_index=0, text="kept"
    )
    _supersede(lecture)
    with pytest.raises(runner.Superseded):
        ingest.store(lecture, pages=[], drafts=[], vectors=[], model_id="m")
    assert list(Chunk.objects.filter(lecture=lecture).values_list("text", flat=True)) == ["kept"]


def test_a_job_whose_task_never_reached_the_queue_is_sent_again(monkeypatch, _no_queue):
    sent = []
    monkeypatch.setattr(runner, "_send", lambda kind, pk, token: sent.append((pk, token)))
    lost = LectureFactory(status="pending", task_id="lost-run")
    never_queued = LectureFactory(status="pending", task_id="")  # the token update itself failed
    running = LectureFactory(status="processing", attempts=1, heartbeat_at=timezone.now(), task_id="alive")

    runner.recover_stale(INGEST)  # first seen waiting: stamped, not sent
    assert sent == [] and _no_queue == []
    assert Lecture.objects.get(pk=lost.pk).heartbeat_at is not None

    Lecture.objects.filter(pk__in=[lost.pk, never_queued.pk]).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    runner.recover_stale(INGEST)
    assert sent == [(lost.pk, "lost-run")]  # the same run: a late first task and this one claim it once
    assert _no_queue == [("ingest", never_queued.pk)]  # no token yet: a new run
    assert Lecture.objects.get(pk=running.pk).status == "processing"

    runner.recover_stale(INGEST)  # stamped again when sent: not resent every minute
    assert len(sent) == 1

    assert runner.claim(INGEST, lost.pk, "lost-run").status == JobStatus.PROCESSING
    assert runner.claim(INGEST, lost.pk, "lost-run") is None  # the late duplicate finds it taken


def test_a_queue_that_cannot_be_written_does_not_undo_or_fail_the_saved_job(monkeypatch):
    from django.db import OperationalError

    def unreachable(kind, pk):
        raise OperationalError("the queue's database is unreachable")

    monkeypatch.setattr(runner, "enqueue", unreachable)
    lecture = LectureFactory(status="failed", error_code="internal")
    runner.requeue(INGEST, lecture.pk)  # the after-commit enqueue raises: logged, not raised
    assert Lecture.objects.get(pk=lecture.pk).status == "pending"  # and recover_stale resends it later
