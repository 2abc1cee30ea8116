"""The JSON API at /api/v1 (django-ninja). Bearer tokens (apps/accounts/tokens.py) for clients, session auth
with CSRF for the browser. Errors share one shape: {"detail": "...", "code": "..."}; OpenAPI docs at /api/v1/docs."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth

from apps.accounts import tokens
from apps.accounts.api import bearer_auth
from apps.accounts.api import router as auth_router
from apps.chat.api import router as chat_router
from apps.core.api_errors import RateLimited, error_body
from apps.documents.api import router as documents_router
from apps.flashcards.api import router as flashcards_router
from apps.lectures.api import router as lectures_router
from apps.sharing.api import router as sharing_router
from apps.study.api import router as study_router
from apps.subjects.api import router as subjects_router

ERROR_RESPONSES = {
    "400": "Bad request (e.g. text with a NUL byte or a broken Unicode character).",
    "401": "Not logged in, or the token expired, was revoked or is invalid (see code).",
    "403": "CSRF check failed (session auth only).",
    "404": "No such object of yours.",
    "405": "Method not allowed.",
    "409": "Conflict with the object's current state.",
    "413": "Request too large.",
    "414": "Query string too long.",
    "422": "Invalid input: `errors` lists the fields.",
    "429": "Too many requests: wait `retry_after` seconds (also the Retry-After header).",
}


class SmartNotesAPI(NinjaAPI):
    """Every operation documents the error responses the shared handlers can give, in the one error shape."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Error"] = {
            "type": "object",
            "required": ["detail", "code"],
            "properties": {
                "detail": {"type": "string"},
                "code": {"type": "string"},
                "retry_after": {"type": "integer"},
                "errors": {"type": "array", "items": {"type": "object"}},
            },
        }
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_RESPONSES.items():
                    responses.setdefault(status, {"description": description, "content": error})
                responses.setdefault("500", {"description": "Server error (logged).", "content": error})
        return schema


api = SmartNotesAPI(
    title="MySmartNotes API",
    version="1",
    urls_namespace="api",
    auth=[bearer_auth, django_auth],
    docs_url="/docs",
)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found.", "code": "not_found"}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, {"detail": "Log in first.", "code": "unauthenticated"}, status=401)


@api.exception_handler(tokens.TokenError)
def bad_token(request, exc):
    return api.create_response(request, {"detail": exc.message, "code": exc.code}, status=exc.status)


@api.exception_handler(HttpError)
def http_error(request, exc):
    body = error_body(exc.status_code, str(exc))
    if isinstance(exc, RateLimited):
        body["retry_after"] = exc.retry_after
        response = api.create_response(request, body, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    return api.create_response(request, body, status=exc.status_code)


def _field(error: dict) -> str:
    """``options.questions`` for a loc of ("body", "payload", "options", "questions"): the name a client sent."""
    loc = [str(p) for p in error.get("loc", ())[1:]]
    if loc[:1] == ["payload"]:
        loc = loc[1:]
    return ".".join(loc) or "body"


@api.exception_handler(ValidationError)
def invalid(request, exc):
    fields: dict[str, str] = {}  # each field with its first problem, e.g. "Input should be less than or equal to 50"
    for error in exc.errors:
        fields.setdefault(_field(error), error.get("msg", "invalid").rstrip("."))
    detail = "Check these fields: " + "; ".join(f"{name} ({msg})" for name, msg in fields.items()) + "."
    return api.create_response(request, {"detail": detail, "code": "invalid", "errors": exc.errors}, status=422)


api.add_router("/auth", auth_router)
api.add_router("/subjects", subjects_router)
api.add_router("/lectures", lectures_router)
api.add_router("/chat", chat_router)
api.add_router("/documents", documents_router)
api.add_router("/flashcards", flashcards_router)
api.add_router("/share-links", sharing_router)
api.add_router("/study", study_router)
