"""Real parallel requests for race tests (use with ``django_db(transaction=True)``): each thread has its own
database connection, and they all start at once."""

import threading
import time
from collections.abc import Callable

from django.db import connection
from django.test import Client


def logged_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def in_parallel(fn: Callable[[int], object], n: int, *, timeout: float = 60) -> list:
    """Call ``fn(0) … fn(n - 1)`` in n threads released together; their results in order (an exception is
    re-raised)."""
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list = []

    def run(i):
        try:
            barrier.wait(timeout)
            results[i] = fn(i)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            errors.append(exc)
        finally:
            connection.close()

    # daemon threads: a request that hangs (e.g. a race that deadlocks) fails the test instead of the run
    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "a parallel request hung"
    if errors:
        raise errors[0]
    return results
