"""A hybrid search's full-text part on a second connection (apps/core/db_threads.py): same results, only
outside transactions, never queued behind other searches, and a connection the database dropped is replaced."""

import threading

import numpy as np
import pytest
from django.db import connection, transaction

from apps.core import db_threads
from apps.lectures import retrieval
from apps.lectures.tests.helpers import make_chunk
from tests.factories import LectureFactory

pytestmark = pytest.mark.django_db(transaction=True)


def unit(i: int) -> np.ndarray:
    vector = np.zeros(384, dtype=np.float32)
    vector[i % 384] = 1.0
    return vector


@pytest.fixture
def lecture():
    lecture = LectureFactory(status="completed")
    for i, text in enumerate(["Lists are mutable sequences", "Tuples cannot change", "Dictionaries map keys"]):
        make_chunk(lecture, i, unit(i), text=text, title=text.split()[0])
    return lecture


@pytest.fixture
def text_threads(monkeypatch):
    """The names of the threads text_ids ran on."""
    names = []
    original = retrieval.text_ids

    def recording(*args, **kwargs):
        names.append(threading.current_thread().name)
        return original(*args, **kwargs)

    monkeypatch.setattr(retrieval, "text_ids", recording)
    return names


def _search(lecture, query="are lists mutable"):
    hits = retrieval.search(lecture.owner, query, subject_id=lecture.subject_id, query_vector=unit(0))
    return [(h.chunk_id, h.text_rank, h.vector_rank) for h in hits]


def test_the_full_text_part_runs_on_another_thread_with_the_same_result(lecture, text_threads, settings):
    parallel = _search(lecture)
    settings.SEARCH_THREADS = 0
    assert _search(lecture) == parallel
    assert text_threads[0].startswith("db-side") and text_threads[1] == threading.current_thread().name
    assert parallel[0][1] == 1  # the full-text part's rows were used (the lists chunk matches every word)


def test_inside_a_transaction_the_caller_runs_it(lecture, text_threads):
    with transaction.atomic():
        _search(lecture)
    assert text_threads == [threading.current_thread().name]


def test_when_every_thread_is_busy_the_caller_runs_it(lecture, text_threads, settings):
    settings.SEARCH_THREADS = 1
    release = threading.Event()
    blocker = db_threads.submit(release.wait)
    try:
        assert db_threads.submit(lambda: None) is None
        _search(lecture)
        assert text_threads == [threading.current_thread().name]
    finally:
        release.set()
        blocker.result(timeout=10)
    assert db_threads.submit(lambda: 1).result(timeout=10) == 1


def test_a_connection_the_database_dropped_is_replaced(lecture):
    pid = db_threads.submit(lambda: connection.cursor().execute("SELECT pg_backend_pid()").fetchone()[0])
    side_pid = pid.result(timeout=10)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [side_pid])
    assert _search(lecture)[0][1] == 1
    again = db_threads.submit(lambda: connection.cursor().execute("SELECT pg_backend_pid()").fetchone()[0])
    assert again.result(timeout=10) != side_pid


def test_a_failure_there_is_retried_here(lecture, monkeypatch, text_threads):
    from django.db import OperationalError

    calls = []
    original = retrieval.text_ids

    def failing_on_the_side(*args, **kwargs):
        calls.append(threading.current_thread().name)
        if threading.current_thread().name.startswith("db-side"):
            raise OperationalError("server closed the connection unexpectedly")
        return original(*args, **kwargs)

    monkeypatch.setattr(retrieval, "text_ids", failing_on_the_side)
    assert _search(lecture)[0][1] == 1
    assert len(calls) == 2


def test_close_all_closes_the_threads_connections(lecture):
    db_threads.submit(lambda: connection.ensure_connection()).result(timeout=10)
    db_threads.close_all()
    assert db_threads.submit(lambda: connection.connection is None).result(timeout=10)


def test_after_shutdown_the_caller_runs_it(lecture, monkeypatch, settings):
    class Stopped:
        def submit(self, *args, **kwargs):
            raise RuntimeError("cannot schedule new futures after interpreter shutdown")

    monkeypatch.setattr(db_threads, "_executor", lambda threads: Stopped())
    assert db_threads.submit(lambda: 1) is None
    assert db_threads._busy == 0
    assert _search(lecture)[0][1] == 1
