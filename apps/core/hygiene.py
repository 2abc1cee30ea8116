"""Text that cannot be stored is refused at the door, for every input of the site.

PostgreSQL text cannot hold NUL (U+0000), and UTF-8 cannot encode unpaired surrogates (U+D800–U+DFFF, which
JSON lets a client write as ``"\\ud800"``): psycopg and pikepdf raise on them deep inside a view, a 500. So
``InputHygieneMiddleware`` checks the path, the query string, form fields and JSON bodies before any view runs
and answers a clear 400 (JSON for the API and for scripts, a toast for htmx, a page otherwise); websocket
consumers call ``problem_in_json_text`` on each message. Django's form ``CharField``
already refuses NUL, but not surrogates, and many views read ``request.POST`` directly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme

from apps.core.body_limit import request_body_limit

# Longer query strings are refused with 414; nothing on the site needs more (searches are short).
MAX_QUERY_STRING_BYTES = 8 * 1024
_MAX_DEPTH = 64

_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")
_JSON_TYPES = re.compile(r"^application/(?:[\w.+-]+\+)?json$")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def text_problem(value: str) -> str | None:
    """What is wrong with ``value``, or None when it can be stored."""
    match = _BAD_CHARACTER.search(value)
    if match is None:
        return None
    if match.group() == "\x00":
        return "contains a NUL character (\\0)"
    return "contains an unpaired surrogate (a broken Unicode character)"


def _strings(value: Any, where: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            if isinstance(key, str):
                yield name, key
            yield from _strings(item, name, depth + 1)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]", depth + 1)


def problem_in(value: Any, where: str = "") -> str | None:
    """The first string in ``value`` (a str, or dicts and lists of them; keys included) that cannot be stored,
    described with where it is, e.g. ``“name” contains a NUL character (\\0)``."""
    for name, text in _strings(value, where):
        problem = text_problem(text)
        if problem:
            return f"“{name}” {problem}" if name else f"The text {problem}"
    return None


def problem_in_json_text(text: str) -> str | None:
    """For a websocket message: the raw text, and, when it is JSON, every string it decodes to."""
    problem = text_problem(text)
    if problem:
        return f"The message {problem}"
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return problem_in(data)


def describe(problem: str) -> str:
    return f"{problem}. Remove it and try again."


# -- the request ----------------------------------------------------------------------------------------


def _fields_problem(fields, kind: str) -> str | None:
    for key, values in fields.lists():
        problem = text_problem(key)
        if problem:
            return f"A {kind} name {problem}"
        for value in values:
            problem = text_problem(value)
            if problem:
                return f"“{key}” {problem}"
    return None


def _json_problem(request: HttpRequest) -> str | None:
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        return "The JSON body is not valid UTF-8 (it holds a broken Unicode character)"
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # malformed JSON: the API's own parser says so
        problem = text_problem(text)
        return f"The JSON body {problem}" if problem else None
    return problem_in(data)


def _form_problem(request: HttpRequest) -> str | None:
    try:
        return _fields_problem_of(request)
    except MultiPartParserError as exc:
        return f"The form data could not be read ({exc})."


def _fields_problem_of(request: HttpRequest) -> str | None:
    # File names need no check: Django's multipart parser already drops non-printable characters from them.
    if request.content_type == "multipart/form-data":
        length = request.META.get("CONTENT_LENGTH") or "0"
        # An over-limit upload is left unread: apps/core/body_limit.py refuses it.
        too_big = not length.isdigit() or int(length) > request_body_limit()
        if request.method != "POST" or too_big:
            return None
        fields = request.POST
    elif request.method == "POST":
        fields = request.POST
    else:
        fields = QueryDict(request.body, encoding=request.encoding)
    return _fields_problem(fields, "form field")


def request_problem(request: HttpRequest) -> tuple[int, str, str] | None:
    """(status, code, message) when the request carries text that cannot be stored, else None."""
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING_BYTES:
        limit = f"at most {MAX_QUERY_STRING_BYTES} bytes after the “?”"
        return 414, "uri_too_long", f"The address is too long ({limit}). Shorten the search and try again."
    problem = text_problem(request.path_info)
    problem = f"The address {problem}" if problem else _fields_problem(request.GET, "query parameter")
    if problem is None and request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if _JSON_TYPES.match(request.content_type or ""):
            problem = _json_problem(request)
        elif request.content_type in _FORM_TYPES:
            problem = _form_problem(request)
    if problem is None:
        return None
    return 400, "invalid_text", describe(problem)


def rejection(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    """The refusal in the form the caller reads: JSON for the API and scripts, a toast for htmx, else a page."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message, "code": code}, status=status)
    if request.headers.get("HX-Request") == "true":
        toast = render_to_string("_partials/toast.html", {"level": "error", "text": message, "sticky": True})
        response = HttpResponse(toast, status=status)
        # app.js swaps an error response that names its target (htmx leaves 4xx bodies unswapped otherwise).
        response["HX-Retarget"] = "#messages"
        response["HX-Reswap"] = "beforeend"
        return response
    accepts = request.headers.get("Accept", "")
    wants_json = "application/json" in accepts or _JSON_TYPES.match(request.content_type or "")
    if request.headers.get("X-Requested-With") == "XMLHttpRequest" or wants_json:
        return JsonResponse({"error": message, "detail": message, "code": code}, status=status)
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    context = {"message": message, "status": status, "back": back}
    return render(request, "core/invalid_input.html", context, status=status)


def _drop_bad_cookies(request: HttpRequest) -> None:
    # A cookie holding NUL would reach the session lookup and fail there; such a cookie is treated as absent
    # (the visitor is logged out instead of locked out).
    for name in [name for name, value in request.COOKIES.items() if problem_in([name, value])]:
        del request.COOKIES[name]


class InputHygieneMiddleware:
    """Runs before the session middleware (bad cookies are dropped) and checks everything else in
    ``process_view``: after URL resolution, before any view reads the input."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _drop_bad_cookies(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        found = request_problem(request)
        if found is None:
            return None
        return rejection(request, *found)
