"""A worker killed in the middle of generating a document: the document is detected as stale, requeued with a new
run token and completed by another worker.

The generation is made slow by the model, not by the app: the worker talks to the fake OpenAI server (running in
this process; the worker subprocess inherits OPENAI_BASE_URL/CHAT_MODEL/GENERATION_MODEL), which holds every
answer for ``delay_s`` seconds while the first worker is alive.
"""

import html
import json
import re
import time

import pytest

from apps.documents import services
from apps.documents.models import DocType, GeneratedDocument
from apps.jobs.models import JobStatus
from smartnotes.generation import prompts
from tests.processes import kill_hard, running_worker, wait_for

pytestmark = [pytest.mark.django_db(transaction=True, databases="__all__"), pytest.mark.slow]


def cheat_sheet_reply(messages):
    """A valid map reply (a point per page of the batch, quoting it) or reduce reply (the first draft points)."""
    system, user_message = messages[0]["content"], messages[-1]["content"]
    if system == prompts.CHEAT_MAP_SYSTEM:
        found = re.findall(r'<passage page="(\d+)">\n(.*?)\n</passage>', user_message, re.S)
        points = {int(page): " ".join(html.unescape(text).split()[:12]) for page, text in reversed(found)}
        return json.dumps(
            {"sections": [{"heading": "Notes", "points": [{"text": t, "pages": [p]} for p, t in points.items()]}]}
        )
    draft = json.loads(html.unescape(user_message.split("<draft>\n", 1)[1].split("\n</draft>", 1)[0]))
    points = [p for s in draft["sections"] for p in s["points"]][:20]
    return json.dumps({"sections": [{"heading": "Python basics", "points": points}]})


def _worker_env(server) -> dict:
    return {
        "WORKER_PROCESSES": "1",
        "OPENAI_BASE_URL": server.base_url,
        "OPENAI_API_KEY": "test-key",
        "CHAT_MODEL": server.chat_model,
        "GENERATION_MODEL": server.generation_model,
        "AI_TIMEOUT": "120",
        "AI_MAX_RETRIES": "0",
    }


def test_a_worker_killed_mid_generation_does_not_leave_the_document_stuck(py4e, user, settings, tmp_path, fake_openai):
    fake_openai.reply = cheat_sheet_reply
    fake_openai.delay_s = 60.0  # every model answer takes a minute while the first worker runs
    document = services.request_document(actor=user, lecture=py4e, doc_type=DocType.CHEAT_SHEET, options={})
    first_token = GeneratedDocument.objects.get(pk=document.pk).task_id
    assert first_token

    def state():
        return GeneratedDocument.objects.values("status", "task_id", "attempts", "progress_step").get(pk=document.pk)

    with running_worker(tmp_path / "worker-1.log", **_worker_env(fake_openai)) as worker:
        wait_for(lambda: state()["status"] == JobStatus.PROCESSING and fake_openai.chat_requests, 120, "the model call")
        assert state()["attempts"] == 1
        kill_hard(worker)

    time.sleep(2)
    stuck = state()
    assert stuck["status"] == JobStatus.PROCESSING  # nobody will finish it
    assert stuck["task_id"] == first_token

    settings.GENERATION_STALE_AFTER_S = 3
    wait_for(lambda: services.recover_stale_documents()["requeued"] == [document.pk], 30, "stale detection")
    requeued = state()
    assert requeued["status"] == JobStatus.PENDING
    assert requeued["task_id"] not in ("", first_token)
    assert requeued["attempts"] == 1

    fake_openai.delay_s = 0.0
    answered_before = len(fake_openai.chat_requests)
    with running_worker(tmp_path / "worker-2.log", **_worker_env(fake_openai)):
        wait_for(lambda: state()["status"] in ("completed", "failed"), 180, "the retried run to finish")

    document.refresh_from_db()
    log = (tmp_path / "worker-2.log").read_text()[-3000:]
    assert document.status == JobStatus.COMPLETED, f"{document.error_code}: {document.error_message}\n{log}"
    assert document.attempts == 2
    assert document.task_id == requeued["task_id"]
    assert not document.made_offline
    assert document.file and document.file_size > 0
    assert document.content["sections"][0]["heading"] == "Python basics"
    assert len(fake_openai.chat_requests) > answered_before  # the second run asked the model again


def test_a_document_that_keeps_dying_ends_failed_with_a_reason(user, subject, settings):
    from django.utils import timezone

    from apps.lectures.models import Lecture, LectureStatus

    lecture = Lecture.objects.create(
        owner=user,
        subject=subject,
        name="x",
        original_filename="x.pdf",
        file_type="pdf",
        status=LectureStatus.COMPLETED,
    )
    document = GeneratedDocument.objects.create(
        owner=user,
        subject=subject,
        lecture=lecture,
        doc_type=DocType.QUIZ,
        format="pdf",
        status=JobStatus.PROCESSING,
        task_id="dead-run",
        attempts=settings.GENERATION_MAX_ATTEMPTS,
        heartbeat_at=timezone.now() - timezone.timedelta(hours=1),
    )
    alive = GeneratedDocument.objects.create(
        owner=user,
        subject=subject,
        lecture=lecture,
        doc_type=DocType.CHEAT_SHEET,
        format="docx",
        status=JobStatus.PROCESSING,
        task_id="live-run",
        attempts=1,
        heartbeat_at=timezone.now(),
    )
    assert services.recover_stale_documents() == {"requeued": [], "failed": [document.pk]}
    document.refresh_from_db()
    assert document.status == JobStatus.FAILED
    assert document.error_code == "timeout"
    assert document.error_message == "Generation stopped unexpectedly several times. Press Retry to try again."
    assert document.task_id == ""  # a late delivery of the dead run's task finds itself superseded
    alive.refresh_from_db()
    assert alive.status == JobStatus.PROCESSING and alive.task_id == "live-run"  # a beating run is left alone


def test_the_stale_document_check_is_scheduled():
    from django.apps import apps
    from django_q.models import Schedule

    from apps.core.schedules import ensure_schedules

    ensure_schedules(sender=apps.get_app_config("core"))
    schedule = Schedule.objects.get(name="recover-stale-documents")
    assert schedule.func == "apps.documents.tasks.recover_stale_documents"
    assert schedule.schedule_type == Schedule.MINUTES
    assert schedule.minutes == 1
    assert schedule.repeats == -1
