"""Read-only queries on a second database connection while the calling thread runs another: a hybrid search runs
its full-text part here while its vector part runs in the request's thread (apps/lectures/retrieval.py), so it
takes about the longer of the two instead of their sum.

A few threads per process (SEARCH_THREADS), each keeping its own connection between calls: opening one costs
5-9 ms, more than the query it would run. A broken connection (the database restarted) is noticed before use
and replaced. A call is only handed over outside a transaction, where the other connection sees the same
committed rows; inside one (tests, an atomic block) and when every thread is busy (many searches at once: they
would queue behind each other) the caller runs it itself (`submit` returns None).
"""

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.db import connection, connections

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_pid: int | None = None
_busy = 0
_wrappers: list = []  # each pool thread's DatabaseWrapper (close_all)


def submit(fn: Callable, *args, **kwargs) -> Future | None:
    """Run fn(*args, **kwargs) on a pool thread's connection; None when the caller must run it itself."""
    global _busy
    threads = settings.SEARCH_THREADS
    if threads <= 0 or connection.in_atomic_block:
        return None
    with _lock:
        if _busy >= threads:
            return None
        _busy += 1
        pool = _executor(threads)
    try:
        return pool.submit(_call, fn, args, kwargs)
    except RuntimeError:  # the interpreter is shutting down: no new threads
        with _lock:
            _busy -= 1
        return None


def _executor(threads: int) -> ThreadPoolExecutor:
    global _pool, _pool_pid
    if _pool is None or _pool_pid != os.getpid():  # a forked worker process starts its own threads
        _pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="db-side")
        _pool_pid = os.getpid()
        _wrappers.clear()
    return _pool


def _call(fn: Callable, args: tuple, kwargs: dict):
    global _busy
    try:
        conn = connections["default"]
        if conn.connection is not None and not conn.is_usable():
            conn.close()
        with _lock:
            if not any(conn is known for known in _wrappers):
                _wrappers.append(conn)
        return fn(*args, **kwargs)
    finally:
        with _lock:
            _busy -= 1


def close_all() -> None:
    """Close the pool threads' connections (shutdown, tests)."""
    with _lock:
        for conn in _wrappers:
            conn.inc_thread_sharing()
            try:
                conn.close()
            finally:
                conn.dec_thread_sharing()
        _wrappers.clear()
