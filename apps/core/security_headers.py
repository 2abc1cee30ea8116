"""Response headers that harden every page: a strict Content-Security-Policy and no caching of private data.

The policy allows scripts and stylesheets from this origin only: templates carry no inline script or event
handler (``apps/core/tests/test_csp.py`` walks them), script data goes through ``json_script`` or data-
attributes, and htmx is told not to inject its indicator ``<style>`` and not to ``eval``. Inline ``style``
*attributes* stay allowed (``style-src-attr``): templates set per-item values such as a subject's colour or a
progress bar's width with them, and htmx copies ``style`` while settling swapped content; ``<style>`` elements
stay forbidden, except the standalone 500 page's, which is allowed by its hash. ``connect-src`` names the
ws/wss URLs of the requested host because Safari before 15.4 does not count them as 'self'.

Responses to a logged-in user (and to API calls carrying a token) get ``Cache-Control: private, no-store``:
their pages, page images, figures and downloads must not stay in a shared or on-disk browser cache after
logout. Static files are served by WhiteNoise before this middleware and keep their long cache lifetime.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError

NO_STORE = "private, no-store"
_STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.DOTALL)


@cache
def _error_page_style_hashes() -> tuple[str, ...]:
    """CSP hashes of the ``<style>`` blocks of templates/500.html (it is rendered without static files)."""
    path = settings.BASE_DIR / "templates" / "500.html"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ()
    return tuple(
        "'sha256-" + base64.b64encode(hashlib.sha256(block.encode()).digest()).decode() + "'"
        for block in _STYLE_BLOCK.findall(text)
    )


def content_security_policy(host: str | None) -> str:
    sockets = f" ws://{host} wss://{host}" if host else ""
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' " + " ".join(_error_page_style_hashes()),
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",  # the favicon is an inline SVG data: URL
        "font-src 'self'",
        "connect-src 'self'" + sockets,
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
    return "; ".join(" ".join(d.split()) for d in directives)


def _host(request) -> str | None:
    try:
        return request.get_host()
    except DisallowedHost:
        return None


def _is_private(request) -> bool:
    try:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return True
    except DatabaseError:  # the session cannot be read (PostgreSQL down, /healthz says so): assume private
        return True
    return "HTTP_AUTHORIZATION" in request.META


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(_host(request))
        if _is_private(request):
            response["Cache-Control"] = NO_STORE
        return response
