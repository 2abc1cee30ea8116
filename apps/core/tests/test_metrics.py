"""/metrics: the series move after real requests, a job run in this process, a chat answer and a failing model;
samples written by another process are merged in; only a bearer token or a local address may scrape."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from apps.chat import services as chat
from apps.chat.tests.helpers import make_lecture
from apps.lectures.models import Lecture
from apps.lectures.tests.helpers import ingest_now, upload_file
from tests.processes import running_worker, wait_for

ROOT = Path(__file__).resolve().parents[3]
NOTES = "# Cells\n\nThe cell is the unit of life.\n\n---\n\n# Energy\n\nMitochondria make ATP from glucose.\n"


def scrape(client, **extra) -> dict:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: dict, name: str, **labels) -> float:
    """The sum of the samples of ``name`` whose labels include ``labels`` (0 when there are none)."""
    wanted = set(labels.items())
    return sum(v for (n, have), v in samples.items() if n == name and wanted <= have)


def names(samples: dict) -> set[str]:
    return {name for name, _ in samples}


# --- requests ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_is_counted_by_view_and_status_and_timed(anon_client):
    before = scrape(anon_client)
    assert anon_client.get("/").status_code == 200
    assert anon_client.get("/no/such/page/4711").status_code == 404
    after = scrape(anon_client)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("smartnotes_http_requests_total", view="home", method="GET", status="200") == 1
    assert moved("smartnotes_http_request_duration_seconds_count", view="home") == 1
    assert moved("smartnotes_http_request_duration_seconds_sum", view="home") > 0
    assert moved("smartnotes_http_requests_total", view="<unresolved>", status="404") == 1
    # the previous scrape is a request too
    assert moved("smartnotes_http_requests_total", view="metrics", status="200") == 1
    # labels are URL names, never raw paths
    assert not any("4711" in str(labels) for _, labels in after)


# --- jobs run in this process ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_ingestion_run_moves_the_page_job_and_queue_series(
    fake_openai_embeddings_env, anon_client, user, subject, tmp_path
):
    before = scrape(anon_client)
    source = tmp_path / "cells.md"
    source.write_text(NOTES)
    lecture = upload_file(user, subject, source)
    queued = scrape(anon_client)
    assert value(queued, "smartnotes_task_queue_depth") == value(before, "smartnotes_task_queue_depth") + 1
    assert value(queued, "smartnotes_jobs", kind="ingest", status="pending") == 1

    lecture = ingest_now(lecture)
    assert lecture.status == "completed"
    after = scrape(anon_client)

    pages = value(after, "smartnotes_ingest_pages_total") - value(before, "smartnotes_ingest_pages_total")
    assert pages == lecture.page_count >= 2
    for method, count in lecture.metadata["pages_by_method"].items():
        assert value(after, "smartnotes_ingest_pages_total", method=method) >= count
    done = dict(kind="ingest", outcome="completed")
    assert value(after, "smartnotes_job_duration_seconds_count", **done) == (
        value(before, "smartnotes_job_duration_seconds_count", **done) + 1
    )
    assert value(after, "smartnotes_job_duration_seconds_sum", **done) > value(
        before, "smartnotes_job_duration_seconds_sum", **done
    )
    assert value(after, "smartnotes_jobs", kind="ingest", status="completed") == 1
    assert value(after, "smartnotes_jobs", kind="ingest", status="pending") == 0
    for kind in ("generate", "cards"):
        assert ("smartnotes_jobs", frozenset({("kind", kind), ("status", "failed")})) in after


@pytest.mark.django_db(transaction=True)
def test_a_failed_ingestion_is_counted_by_reason_and_the_model_error_by_kind(
    fake_openai_embeddings_env, anon_client, user, subject, tmp_path
):
    source = tmp_path / "cells.md"
    source.write_text(NOTES)
    lecture = upload_file(user, subject, source)
    before = scrape(anon_client)
    fake_openai_embeddings_env.fail_next(10, status=503)  # every try and retry of the embedding request

    lecture = ingest_now(lecture)
    assert (lecture.status, lecture.error_code) == ("failed", "embedding")
    after = scrape(anon_client)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("smartnotes_job_failures_total", kind="ingest", reason="embedding") == 1
    assert moved("smartnotes_job_duration_seconds_count", kind="ingest", outcome="failed") == 1
    assert moved("smartnotes_model_errors_total", operation="embeddings", kind="server_error") == 1
    assert moved("smartnotes_ingest_pages_total") == 0
    assert value(after, "smartnotes_jobs", kind="ingest", status="failed") == 1


# --- chat and model errors ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_chat_time_to_first_token_and_model_errors_by_kind(fake_openai_env, anon_client, user, subject):
    lecture = make_lecture(user, subject)
    question = "Where does photosynthesis take place?"
    before = scrape(anon_client)

    answer = chat.ask(user, chat.start_conversation(actor=user, lecture=lecture), question)
    assert answer.first_token_ms is not None
    after_answer = scrape(anon_client)
    assert value(after_answer, "smartnotes_chat_first_token_seconds_count") == (
        value(before, "smartnotes_chat_first_token_seconds_count") + 1
    )

    fake_openai_env.fail_next(3, status=500)  # the first try and both retries
    fallback = chat.ask(user, chat.start_conversation(actor=user, lecture=lecture), question + " Explain.")
    assert fallback.offline or fallback.notice
    fake_openai_env.drop_stream_after(2)
    chat.ask(user, chat.start_conversation(actor=user, lecture=lecture), question + " In detail.")
    after = scrape(anon_client)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("smartnotes_model_errors_total", operation="chat", kind="server_error") == 1
    assert moved("smartnotes_model_errors_total", operation="chat", kind="interrupted") == 1
    # the interrupted answer had its first token; the failed one had none
    assert moved("smartnotes_chat_first_token_seconds_count") == 2


@pytest.mark.django_db
def test_offline_mode_is_not_a_model_error(offline_env, anon_client, user, subject):
    from smartnotes import ai

    before = scrape(anon_client)
    with pytest.raises(ai.AINotConfigured):
        ai.complete_chat([{"role": "user", "content": "hello"}])
    after = scrape(anon_client)
    assert value(after, "smartnotes_model_errors_total") == value(before, "smartnotes_model_errors_total")


# --- several processes -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_samples_of_another_process_are_merged_into_the_scrape(anon_client):
    assert os.environ.get("PROMETHEUS_MULTIPROC_DIR"), "the test settings run metrics in multiprocess mode"
    before = scrape(anon_client)
    worker = "from apps.core import metrics; metrics.job_failed('cards', 'from-another-process', 3)"
    subprocess.run([sys.executable, "-c", worker], cwd=ROOT, env=os.environ.copy(), check=True, timeout=60)
    after = scrape(anon_client)
    labels = dict(kind="cards", reason="from-another-process")
    assert value(after, "smartnotes_job_failures_total", **labels) == (
        value(before, "smartnotes_job_failures_total", **labels) + 3
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_real_worker_clusters_ingestion_shows_in_the_web_scrape(
    fake_openai_embeddings_env, anon_client, user, subject, tmp_path
):
    source = tmp_path / "cells.md"
    source.write_text(NOTES)
    before = scrape(anon_client)
    lecture = upload_file(user, subject, source)
    log = tmp_path / "worker.log"
    with running_worker(log, WORKER_PROCESSES="1"):
        wait_for(lambda: Lecture.objects.get(pk=lecture.pk).status in ("completed", "failed"), 300, "the worker")
        after = scrape(anon_client)
    lecture.refresh_from_db()
    assert lecture.status == "completed", (lecture.error_message, log.read_text()[-3000:])
    done = dict(kind="ingest", outcome="completed")
    assert value(after, "smartnotes_job_duration_seconds_count", **done) == (
        value(before, "smartnotes_job_duration_seconds_count", **done) + 1
    )
    pages = value(after, "smartnotes_ingest_pages_total") - value(before, "smartnotes_ingest_pages_total")
    assert pages == lecture.page_count
    assert value(after, "smartnotes_task_queue_depth") == 0  # the worker took the task


# --- who may scrape ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "10.1.2.3", "192.168.0.9", "172.20.0.4", "::ffff:10.0.0.7"])
def test_without_a_token_local_and_private_addresses_may_scrape(anon_client, settings, address):
    settings.METRICS_TOKEN = ""
    assert "smartnotes_task_queue_depth" in names(scrape(anon_client, REMOTE_ADDR=address))


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["8.8.8.8", "2001:4860:4860::8888", "not-an-address", ""])
def test_without_a_token_public_addresses_get_a_404(anon_client, settings, address):
    settings.METRICS_TOKEN = ""
    response = anon_client.get("/metrics", REMOTE_ADDR=address)
    assert response.status_code == 404
    assert b"smartnotes_" not in response.content


@pytest.mark.django_db
def test_without_a_token_a_proxied_request_is_not_local(anon_client, settings):
    settings.METRICS_TOKEN = ""
    response = anon_client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 404


@pytest.mark.django_db
def test_with_a_token_only_the_bearer_token_gets_in_from_anywhere(anon_client, settings):
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    refused = [
        {},  # even from loopback
        {"HTTP_AUTHORIZATION": "Bearer wrong-token"},
        {"HTTP_AUTHORIZATION": "Basic s3cret-metrics-token"},
        {"HTTP_AUTHORIZATION": "Bearer s3cret-metrics-token-and-more"},
    ]
    for headers in refused:
        response = anon_client.get("/metrics", **headers)
        assert response.status_code == 403, headers
        assert b"smartnotes_" not in response.content
    samples = scrape(anon_client, REMOTE_ADDR="8.8.8.8", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token")
    assert "smartnotes_task_queue_depth" in names(samples)


@pytest.mark.django_db
def test_only_get_is_answered(anon_client):
    assert anon_client.post("/metrics").status_code == 405
