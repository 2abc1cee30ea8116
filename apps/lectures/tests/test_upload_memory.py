"""Uploads cannot exhaust the server's memory: the production server (uvicorn, two worker processes) refuses a
150 MB upload from its Content-Length, cuts off a streamed one at the limit, and streams an accepted 95 MB
upload to disk, through the web upload (session + CSRF, as static/js/upload.js sends it) and the API (bearer
token). Daphne queued a whole body in memory first: 150 MB took its process from 516 MB to 2.2 GB.

Memory is each server process's peak resident size (VmHWM), summed over the supervisor and its workers. The
bodies come from generators, so this process never holds them either."""

import http.client
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from apps.lectures.models import Lecture
from tests.processes import running_uvicorn

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MB = 1024 * 1024
BOUNDARY = "smartnotes-test-boundary"
GROWTH_LIMIT_MB = 50
_BLOCK = (b"# Merge sort\n\nMerge sort splits the list in halves, sorts each half and merges them.\n" * 12000)[:MB]


def _peak_rss_mb(proc) -> float:
    """VmHWM of the server and every process under it (uvicorn's workers)."""
    family = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
    total_kb = 0
    for member in family:
        status = Path(f"/proc/{member.pid}/status").read_text()
        total_kb += int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE).group(1))
    return total_kb / 1024


def _upload_body(size: int, filename: str = "notes.md"):
    """(length, chunks) of a multipart form with one file of ``size`` bytes, 1 MB at a time."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: text/markdown\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()

    def chunks():
        yield head
        left = size
        while left:
            part = _BLOCK[: min(left, MB)]
            left -= len(part)
            yield part
        yield tail

    return len(head) + size + len(tail), chunks()


def _post(base: str, path: str, headers: dict, size: int, declare_length: bool = True) -> tuple[int, bytes]:
    """POST an upload of ``size`` bytes; without ``declare_length`` it goes chunked (no Content-Length)."""
    length, chunks = _upload_body(size)
    headers = {**headers, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    if declare_length:
        headers["Content-Length"] = str(length)
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)
    try:
        connection.request("POST", path, body=chunks, headers=headers)  # chunked when no length is given
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _web_headers(base: str, user, subject) -> dict:
    """The browser's: a session cookie, the CSRF cookie the upload page set, and upload.js's headers."""
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    connection.request("GET", reverse("subjects:detail", args=[subject.pk]), headers={"Cookie": f"sessionid={session}"})
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 200
    csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "").group(1)
    return {
        "Cookie": f"sessionid={session}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "X-Requested-With": "XMLHttpRequest",
    }


def _api_headers(user, password) -> dict:
    from apps.accounts import tokens

    pair = tokens.log_in(RequestFactory().post("/api/v1/auth/token"), login=user.username, password=password)
    return {"Authorization": f"Bearer {pair['access_token']}"}


def test_a_150_mb_upload_is_refused_unread_and_a_95_mb_one_streams_to_disk(user, password, subject, tmp_path):
    web_path = reverse("lectures:upload", args=[subject.pk])
    api_path = f"/api/v1/lectures/subject/{subject.pk}"
    with running_uvicorn(tmp_path / "uvicorn.log", workers=2, UPLOAD_RATE_PER_HOUR="1000") as (base, proc):
        web, api = _web_headers(base, user, subject), _api_headers(user, password)
        for _ in range(3):  # both workers have served an upload (imports, caches) before the baseline
            assert _post(base, web_path, web, 200_000)[0] == 201
            assert _post(base, api_path, api, 200_000)[0] == 201
        baseline = _peak_rss_mb(proc)

        status, body = _post(base, web_path, web, 150 * MB)
        assert status == 413
        assert json.loads(body)["error"].startswith("The upload is too large (150.0 MB): a file can be at most 100 MB")
        status, body = _post(base, api_path, api, 150 * MB)
        assert status == 413
        assert json.loads(body)["code"] == "too_large" and "at most 100 MB" in json.loads(body)["detail"]
        status, body = _post(base, api_path, api, 150 * MB, declare_length=False)
        assert status == 413 and json.loads(body)["code"] == "too_large"
        after_refusals = _peak_rss_mb(proc)

        status, body = _post(base, web_path, web, 95 * MB)
        assert status == 201, body[:300]
        status, body = _post(base, api_path, api, 95 * MB)
        assert status == 201, body[:300]
        after_uploads = _peak_rss_mb(proc)

    print(
        f"uvicorn (2 workers) peak RSS: {baseline:.0f} MB after warm-up, {after_refusals:.0f} MB after three 150 MB "
        f"refusals, {after_uploads:.0f} MB after two accepted 95 MB uploads"
    )
    assert after_refusals - baseline < GROWTH_LIMIT_MB
    assert after_uploads - baseline < GROWTH_LIMIT_MB
    big = Lecture.objects.filter(owner=user, file_size=95 * MB)
    assert big.count() == 2
