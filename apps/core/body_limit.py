"""A request body over the upload limit is refused before it is read.

Django's ASGI handler reads a whole request body (to a temporary file beyond FILE_UPLOAD_MAX_MEMORY_SIZE)
before any middleware or view runs, so an upload view can only refuse a 10 GB POST after all of it arrived.
``LimitRequestBody`` wraps the Django ASGI app (smartnotes/asgi.py) and sees the request first:

- a Content-Length over the limit: the body is never read; Django gets the request with an empty body;
- a streamed body (no Content-Length) is counted as it arrives and cut off as soon as it passes the limit.

Either way it marks the scope, and ``RequestTooLargeMiddleware`` answers 413 in the form the caller reads
(JSON under /api/, a toast for htmx, JSON for the upload script, a page for a plain form post), with the user,
session and templates of an ordinary request. The rest of the body is left to the server, which discards it
while the client finishes sending (uvicorn does), so the client is not cut off before it reads the answer.

The limit is one per request, for every path: the largest upload (UPLOAD_MAX_MB) plus room for the form
fields beside it. Smaller bodies for non-upload endpoints stay under Django's DATA_UPLOAD_MAX_MEMORY_SIZE.
"""

from __future__ import annotations

import asyncio

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme

# Form fields, multipart headers and boundaries beside the file(s).
FORM_FIELDS_ALLOWANCE = 1024 * 1024
SCOPE_KEY = "smartnotes.body_too_large"
MiB = 1024 * 1024


def request_body_limit() -> int:
    return settings.UPLOAD_MAX_BYTES + FORM_FIELDS_ALLOWANCE


def _declared_length(headers) -> int | None:
    for name, value in headers:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length itself
    return None


async def _wait_forever() -> dict:
    # Django listens for a disconnect while the view runs and cancels that wait once it has answered.
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


class LimitRequestBody:
    """ASGI middleware in front of the Django app: see the module docstring."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = request_body_limit()
        declared = _declared_length(scope.get("headers", ()))
        scope = dict(scope)
        if declared is not None and declared > limit:
            scope[SCOPE_KEY] = {"size": declared}
            # Content-Length 0 as well, so nothing downstream expects a body that will never come.
            scope["headers"] = [
                (name, b"0" if name.lower() == b"content-length" else value) for name, value in scope["headers"]
            ]
            return await self.app(scope, _no_body(), send)
        return await self.app(scope, _counted(receive, scope, limit), send)


def _no_body():
    delivered = False

    async def receive():
        nonlocal delivered
        if delivered:
            return await _wait_forever()
        delivered = True
        return {"type": "http.request", "body": b"", "more_body": False}

    return receive


def _counted(receive, scope, limit: int):
    received = 0
    cut_off = False

    async def counting_receive():
        nonlocal received, cut_off
        if cut_off:
            return await _wait_forever()
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                cut_off = True
                scope[SCOPE_KEY] = {"size": None}
                return {"type": "http.request", "body": b"", "more_body": False}
        return message

    return counting_receive


# -- the answer, from inside Django -----------------------------------------------------------------------


def too_large_message(size: int | None) -> str:
    limit_mb = settings.UPLOAD_MAX_BYTES // MiB
    sent = f" ({size / MiB:.1f} MB)" if size else ""
    return (
        f"The upload is too large{sent}: a file can be at most {limit_mb} MB. "
        "Choose a smaller file (or send fewer files at once)."
    )


def too_large_response(request: HttpRequest, size: int | None) -> HttpResponse:
    message = too_large_message(size)
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "too_large"}, status=413)
    if request.headers.get("HX-Request") == "true":
        toast = render_to_string("_partials/toast.html", {"level": "error", "text": message, "sticky": True})
        response = HttpResponse(toast, status=413)
        # app.js swaps an error response that names its target (htmx leaves 4xx bodies unswapped otherwise).
        response["HX-Retarget"] = "#messages"
        response["HX-Reswap"] = "beforeend"
        return response
    if request.headers.get("X-Requested-With") == "XMLHttpRequest" or "application/json" in request.headers.get(
        "Accept", ""
    ):
        # static/js/upload.js shows "error" under the file's row.
        return JsonResponse({"error": message, "detail": message, "code": "too_large"}, status=413)
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    context = {"message": message, "back": back, "limit_mb": settings.UPLOAD_MAX_BYTES // MiB}
    return render(request, "core/too_large.html", context, status=413)


class RequestTooLargeMiddleware:
    """Answers the requests ``LimitRequestBody`` marked; last in MIDDLEWARE, so the user and session are known
    and no view, CSRF check or form parser ever looks at the missing body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = getattr(request, "scope", {}).get(SCOPE_KEY)
        if refused is None:
            return self.get_response(request)
        return too_large_response(request, refused["size"])
