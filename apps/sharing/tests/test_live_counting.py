"""Exact view counting against a real Daphne process: twenty browsers opening a max-10 link at the same
moment, each with its own first request — exactly ten get the lecture, the other ten the 410 page."""

import threading
import urllib.error
import urllib.request

import pytest

from apps.sharing.tests.helpers import read_lecture, share
from tests.processes import running_server

VISITORS = 20
MAX_VIEWS = 10


def _open(target: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(target, timeout=60) as response:  # noqa: S310 - loopback test server
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_first_views_of_a_max_ten_link_let_exactly_ten_through(user, subject, tmp_path):
    lecture = read_lecture(user, subject)
    link, code = share(user, lecture=lecture, max_views=MAX_VIEWS)
    with running_server(tmp_path / "daphne.log") as base:
        target = f"{base}/s/{code}/"
        assert _open(f"{base}/s/{'x' * 43}/")[0] == 410  # the server is up (and counts nothing)
        barrier = threading.Barrier(VISITORS)
        results: list = [None] * VISITORS

        def visit(i):
            barrier.wait(30)
            results[i] = _open(target)  # no cookie: every request is a new visitor session

        threads = [threading.Thread(target=visit, args=(i,), daemon=True) for i in range(VISITORS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(90)
        assert not any(thread.is_alive() for thread in threads), "a request hung"

    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * MAX_VIEWS + [410] * (VISITORS - MAX_VIEWS)
    for status, body in results:
        assert (b"Merge sort splits the list" in body) == (status == 200)
    link.refresh_from_db()
    assert link.view_count == MAX_VIEWS
