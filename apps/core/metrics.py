"""Prometheus metrics: every series the app exports, and the thin calls that move them.

Web and worker processes each write their samples to files in ``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's
multiprocess mode, set by scripts/run.sh and the Docker image); a scrape of ``/metrics`` in any web process
merges every process's files, so the workers' ingestion and job series are there too. Queue depth and jobs by
status are not samples of one process: they are read from the broker and the job tables at scrape time.

Without ``PROMETHEUS_MULTIPROC_DIR`` each process keeps its own samples in memory and ``/metrics`` shows the
serving process only (fine for ``manage.py runserver``; workers' series are then missing).

Importable without Django set up (a worker records before it serves anything); Django is imported lazily.
"""

from __future__ import annotations

import logging
import os
import socket
import time

from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess, values
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

log = logging.getLogger(__name__)

MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")

if MULTIPROC_DIR:
    os.makedirs(MULTIPROC_DIR, exist_ok=True)
    # The files are named after the writing process. Containers sharing the directory (docker compose: web and
    # workers) all have small PIDs, so the host name is part of the name too; the PID changes on fork, which
    # prometheus-client notices and starts the child's own file.
    _HOST = socket.gethostname().replace("_", "-")
    values.ValueClass = values.MultiProcessValue(lambda: f"{_HOST}-{os.getpid()}")

# The app's own series. In multiprocess mode their values live in the files and this registry is not scraped.
_OWN = CollectorRegistry()

_SECONDS_FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
_SECONDS_SLOW = (0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)

HTTP_REQUESTS = Counter(
    "smartnotes_http_requests",
    "HTTP requests answered, by view (URL name), method and status.",
    ["view", "method", "status"],
    registry=_OWN,
)
HTTP_LATENCY = Histogram(
    "smartnotes_http_request_duration_seconds",
    "Time to answer an HTTP request, by view.",
    ["view"],
    buckets=_SECONDS_FAST,
    registry=_OWN,
)
INGEST_PAGES = Counter(
    "smartnotes_ingest_pages",
    "Pages (slides, time windows) of lectures ingested, by how they were read ('unreadable': kept empty).",
    ["method"],
    registry=_OWN,
)
JOB_DURATION = Histogram(
    "smartnotes_job_duration_seconds",
    "Wall time of one background job run (claim to end), by kind (ingest, generate, cards) and outcome.",
    ["kind", "outcome"],
    buckets=_SECONDS_SLOW,
    registry=_OWN,
)
JOB_FAILURES = Counter(
    "smartnotes_job_failures",
    "Background jobs that ended failed, by kind and reason (the error code the student sees explained).",
    ["kind", "reason"],
    registry=_OWN,
)
CHAT_FIRST_TOKEN = Histogram(
    "smartnotes_chat_first_token_seconds",
    "Time from a chat question to the model's first answer token.",
    buckets=_SECONDS_FAST,
    registry=_OWN,
)
MODEL_ERRORS = Counter(
    "smartnotes_model_errors",
    "Failed model calls (after the client's retries), by operation (chat, generation, embeddings, transcription) "
    "and kind.",
    ["operation", "kind"],
    registry=_OWN,
)


# --- the calls the app makes -----------------------------------------------------------------------------


def observe_request(view: str, method: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(view, method, str(status)).inc()
    HTTP_LATENCY.labels(view).observe(seconds)


def pages_ingested(total: int, pages_by_method: dict[str, int]) -> None:
    for method, count in pages_by_method.items():
        INGEST_PAGES.labels(method or "unknown").inc(count)
    unreadable = total - sum(pages_by_method.values())
    if unreadable > 0:
        INGEST_PAGES.labels("unreadable").inc(unreadable)


def job_finished(kind: str, outcome: str, seconds: float) -> None:
    """``outcome``: completed, failed or superseded."""
    JOB_DURATION.labels(kind, outcome).observe(seconds)


def job_failed(kind: str, reason: str, count: int = 1) -> None:
    JOB_FAILURES.labels(kind, reason or "unknown").inc(count)


def chat_first_token(seconds: float) -> None:
    CHAT_FIRST_TOKEN.observe(seconds)


def model_error(operation: str, kind: str) -> None:
    MODEL_ERRORS.labels(operation, kind).inc()


class RequestMetricsMiddleware:
    """Counts every request by its URL name (bounded: never the raw path) and status, and times it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        observe_request(_view_name(request), request.method, response.status_code, time.perf_counter() - started)
        return response


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name
    return "<unresolved>"  # 404s of unknown paths, redirects added by CommonMiddleware


# --- scrape ----------------------------------------------------------------------------------------------


class _StateCollector:
    """Gauges read when scraped: the task queue and the job tables are the truth, whichever process died."""

    def collect(self):
        readable = GaugeMetricFamily(
            "smartnotes_metrics_state_readable", "1 when this scrape could read the task queue and the job tables."
        )
        try:
            queued, taken = _queue_sizes()
            by_status = _jobs_by_status()
        except Exception:  # a scrape while the database is down still returns the process series
            log.warning("metrics: cannot read the queue and job tables", exc_info=True)
            readable.add_metric([], 0)
            yield readable
            return
        readable.add_metric([], 1)
        yield readable
        depth = GaugeMetricFamily(
            "smartnotes_task_queue_depth", "django-q2 tasks waiting for a worker (OrmQ rows or the Redis list)."
        )
        depth.add_metric([], queued)
        yield depth
        if taken is not None:
            in_flight = GaugeMetricFamily(
                "smartnotes_task_queue_taken", "django-q2 tasks a worker has taken and not yet acknowledged."
            )
            in_flight.add_metric([], taken)
            yield in_flight
        jobs = GaugeMetricFamily("smartnotes_jobs", "Background jobs by kind and status.", labels=["kind", "status"])
        for (kind, status), count in sorted(by_status.items()):
            jobs.add_metric([kind, status], count)
        yield jobs


_broker = None


def _queue_sizes() -> tuple[int, int | None]:
    global _broker
    from django_q.brokers import get_broker

    if _broker is None:
        _broker = get_broker()
    return int(_broker.queue_size() or 0), _broker.lock_size()


def _jobs_by_status() -> dict[tuple[str, str], int]:
    from django.db.models import Count

    from apps.documents.jobs import GENERATE
    from apps.flashcards.jobs import GENERATE_CARDS
    from apps.jobs.models import JobStatus
    from apps.lectures.jobs import INGEST

    counts: dict[tuple[str, str], int] = {}
    for kind in (INGEST, GENERATE, GENERATE_CARDS):
        counts.update({(kind.name, status): 0 for status in JobStatus.values})
        for row in kind.model.objects.values("status").annotate(n=Count("pk")).order_by():
            counts[(kind.name, row["status"])] = row["n"]
    return counts


_scrape_registry: CollectorRegistry | None = None


def _registry() -> CollectorRegistry:
    global _scrape_registry
    if _scrape_registry is None:
        if MULTIPROC_DIR:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=MULTIPROC_DIR)
        else:
            registry = _OWN
        registry.register(_StateCollector())
        _scrape_registry = registry
    return _scrape_registry


def render() -> tuple[bytes, str]:
    """The exposition text of every process's series plus the scrape-time gauges, and its content type."""
    return generate_latest(_registry()), CONTENT_TYPE_LATEST
