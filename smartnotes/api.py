"""The JSON API at /api/v1 (django-ninja). Session auth with CSRF for the browser; bearer tokens come with the
API issue. Errors share one shape: {"detail": "...", "code": "..."}; OpenAPI docs at /api/v1/docs."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import django_auth

from apps.lectures.api import router as lectures_router
from apps.subjects.api import router as subjects_router

api = NinjaAPI(
    title="MySmartNotes API",
    version="1",
    urls_namespace="api",
    auth=django_auth,
    docs_url="/docs",
)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found.", "code": "not_found"}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, {"detail": "Log in first.", "code": "unauthenticated"}, status=401)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    return api.create_response(request, {"detail": exc.errors, "code": "invalid"}, status=422)


api.add_router("/subjects", subjects_router)
api.add_router("/lectures", lectures_router)
