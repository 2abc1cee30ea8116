"""The API's error shape, shared by every router: ``{"detail": "...", "code": "..."}`` (smartnotes/api.py turns
these exceptions into responses)."""

from ninja.errors import HttpError

CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}


class RateLimited(HttpError):
    """429 with the seconds to wait: the body carries ``retry_after`` and the response a Retry-After header."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(429, message)
        self.retry_after = max(1, int(retry_after))


def error_body(status: int, message: str, code: str | None = None) -> dict:
    return {"detail": message, "code": code or CODES.get(status, "error")}


class ApiErrorShapeMiddleware:
    """Under /api/, every error leaves as ``{"detail", "code"}`` JSON, including the ones no API handler wrote:
    an unknown path (Django's 404), a wrong method (405), a body over the size limit, an uncaught exception
    (Django's 500 page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
            and not getattr(response, "streaming", False)
        ):
            return _json_error(response)
        return response


def _json_error(response):
    import json

    from django.http import HttpResponse

    status = response.status_code
    detail = {
        404: "Not found.",
        405: "This method is not allowed here.",
        413: "The request is too large.",
        500: "Something went wrong on the server; it has been logged.",
    }.get(status, response.reason_phrase or "Error.")
    if status == 405 and response.get("Allow"):
        detail = f"This method is not allowed here (allowed: {response['Allow']})."
    shaped = HttpResponse(json.dumps(error_body(status, detail)), status=status, content_type="application/json")
    for header in ("Allow", "Retry-After"):
        if response.has_header(header):
            shaped[header] = response[header]
    return shaped
