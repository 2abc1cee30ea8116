"""An over-limit request body is answered 413 from its Content-Length without being read, and a streamed body
is cut off at the limit; both through the real ASGI application (smartnotes/asgi.py), as the server calls it."""

import asyncio
import json

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from smartnotes.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

MiB = 1024 * 1024
CHUNK = 256 * 1024


@pytest.fixture(autouse=True)
def one_mb_limit(settings):
    settings.UPLOAD_MAX_BYTES = 1 * MiB


@pytest.fixture
def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


@pytest.fixture
def bearer(user, password) -> str:
    from apps.accounts import tokens

    pair = tokens.log_in(RequestFactory().post("/api/v1/auth/token"), login=user.username, password=password)
    return f"Bearer {pair['access_token']}"


class Body:
    """The client side of ``receive``: hands out the chunks and counts what the app read."""

    def __init__(self, chunks):
        self.chunks = iter(chunks)
        self.read = 0
        self.ended = False

    async def receive(self):
        if self.ended:  # as a server does: nothing more until the client disconnects
            await asyncio.Event().wait()
        chunk = next(self.chunks, None)
        if chunk is None:
            self.ended = True
            return {"type": "http.request", "body": b"", "more_body": False}
        self.read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}


class Unread:
    async def receive(self):
        raise AssertionError("the body was read")


def _endless():
    while True:
        yield b"x" * CHUNK


async def _call(path: str, headers: dict, body) -> tuple[int, dict, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost")] + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 40000),
        "server": ("localhost", 80),
    }
    sent = []

    async def send(message):
        sent.append(message)

    await application(scope, body.receive, send)
    start = sent[0]
    response_headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    return start["status"], response_headers, b"".join(m.get("body", b"") for m in sent[1:])


def _multipart(size: int) -> dict:
    return {"content-type": "multipart/form-data; boundary=xyz", "content-length": str(size)}


async def test_an_api_upload_over_the_limit_is_refused_from_its_content_length_unread(subject, bearer):
    headers = {**_multipart(150 * MiB), "authorization": bearer}
    status, response_headers, body = await _call(f"/api/v1/lectures/subject/{subject.pk}", headers, Unread())
    assert status == 413
    assert response_headers["content-type"] == "application/json"
    error = json.loads(body)
    assert error["code"] == "too_large"
    assert error["detail"] == (
        "The upload is too large (150.0 MB): a file can be at most 1 MB. "
        "Choose a smaller file (or send fewer files at once)."
    )


async def test_a_form_post_over_the_limit_gets_a_page_the_upload_script_json_and_htmx_a_toast(subject, session_cookie):
    path = reverse("lectures:upload", args=[subject.pk])
    headers = {**_multipart(3 * MiB), "cookie": session_cookie}

    status, response_headers, body = await _call(path, headers, Unread())
    assert status == 413 and response_headers["content-type"].startswith("text/html")
    page = body.decode()
    assert "That upload is too large" in page and "(3.0 MB): a file can be at most 1 MB" in page
    assert "Go to my subjects" in page  # the logged-in layout: the session was read, the body was not

    status, response_headers, body = await _call(path, {**headers, "x-requested-with": "XMLHttpRequest"}, Unread())
    assert status == 413 and response_headers["content-type"] == "application/json"
    assert "at most 1 MB" in json.loads(body)["error"]  # what static/js/upload.js shows under the file

    status, response_headers, body = await _call(path, {**headers, "hx-request": "true"}, Unread())
    assert status == 413 and response_headers["hx-retarget"] == "#messages"
    assert 'class="toast alert alert-error"' in body.decode() and "at most 1 MB" in body.decode()


async def test_a_streamed_body_without_length_is_cut_off_just_past_the_limit(subject, bearer):
    body = Body(_endless())
    headers = {"content-type": "multipart/form-data; boundary=xyz", "authorization": bearer}
    status, _, content = await _call(f"/api/v1/lectures/subject/{subject.pk}", headers, body)
    assert status == 413
    assert json.loads(content) == {
        "detail": "The upload is too large: a file can be at most 1 MB. "
        "Choose a smaller file (or send fewer files at once).",
        "code": "too_large",
    }
    limit = 1 * MiB + 1 * MiB  # the upload limit plus the allowance for form fields
    assert limit < body.read <= limit + CHUNK


async def test_bodies_within_the_limit_reach_the_views_declared_or_streamed(subject, bearer, user):
    from apps.lectures.models import Lecture

    boundary = "xyz"
    text = b"# Sorting\n\nMerge sort splits the list in halves.\n" * 1000
    upload = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="sorting.md"\r\n'
            "Content-Type: text/markdown\r\n\r\n"
        ).encode()
        + text
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {**_multipart(len(upload)), "authorization": bearer}
    status, _, content = await _call(f"/api/v1/lectures/subject/{subject.pk}", headers, Body([upload]))
    assert status == 201, content
    assert json.loads(content)["name"] == "sorting"

    payload = json.dumps({"name": "Streamed"}).encode()
    headers = {"content-type": "application/json", "authorization": bearer}
    status, _, content = await _call("/api/v1/subjects/", headers, Body([payload[:5], payload[5:]]))
    assert status == 201, content
    assert json.loads(content)["name"] == "Streamed"
    assert await Lecture.objects.filter(owner=user, name="sorting").aexists()
