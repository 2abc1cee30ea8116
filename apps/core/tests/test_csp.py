"""The Content-Security-Policy: templates that can live with it, and the header on every page."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from apps.core.security_headers import content_security_policy

TEMPLATE_DIRS = [settings.BASE_DIR / "templates", *sorted((settings.BASE_DIR / "apps").glob("*/templates"))]
TEMPLATE_FILES = sorted(p for d in TEMPLATE_DIRS for p in Path(d).rglob("*.html"))

# onclick=, onsubmit=, … as an attribute (not data-on…=); htmx's hx-on / data-hx-on is inline script too.
INLINE_HANDLER = re.compile(r"(?<![\w:-])on[a-z]+\s*=\s*[\"'{]", re.IGNORECASE)
HX_ON = re.compile(r"(?<![\w-])(?:data-)?hx-on(?:[:-][\w:.-]*)?\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
JS_URL = re.compile(r"(?:href|src|action)\s*=\s*[\"']\s*javascript:", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)


def _directives(header: str) -> dict[str, list[str]]:
    parts = [d.split() for d in header.split(";") if d.strip()]
    return {p[0]: p[1:] for p in parts}


def _offences(text: str) -> list[str]:
    found = [m.group(0) for m in INLINE_HANDLER.finditer(text)]
    found += [m.group(0) for m in HX_ON.finditer(text)]
    found += [m.group(0) for m in SCRIPT_TAG.finditer(text) if "src=" not in m.group(1)]
    found += [m.group(0) for m in JS_URL.finditer(text)]
    return found


def test_the_walk_finds_the_templates():
    assert len(TEMPLATE_FILES) > 50
    assert any(p.name == "list.html" and p.parent.name == "subjects" for p in TEMPLATE_FILES)


@pytest.mark.parametrize(
    "snippet",
    [
        '<button onclick="go()">',
        "<form onsubmit='return false'>",
        '<body onload = "x()">',
        '<dialog hx-on:subject-created="this.close()">',
        '<div data-hx-on::after-request="x()">',
        '<div hx-on-click="x()">',
        "<script>alert(1)</script>",
        '<script type="module">',
        '<a href="javascript:alert(1)">',
    ],
)
def test_the_walk_recognises_inline_script(snippet):
    assert _offences(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        '<button data-dialog-open="new-subject">',
        '<script src="/static/js/app.js" defer></script>',
        "<p>Click on a card=front side</p>",
        '<input data-on-change="x">',
        "{# no eval (hx-on, js: values) #}",
    ],
)
def test_the_walk_accepts_what_the_policy_allows(snippet):
    assert not _offences(snippet)


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_no_template_has_inline_script_or_event_handlers(path):
    assert _offences(path.read_text(encoding="utf-8")) == []


def test_only_the_standalone_500_page_has_a_style_element_and_the_policy_allows_it_by_hash():
    with_style = [
        p.relative_to(settings.BASE_DIR).as_posix() for p in TEMPLATE_FILES if STYLE_ELEMENT.search(p.read_text())
    ]
    assert with_style == ["templates/500.html"]
    block = re.search(r"<style>(.*?)</style>", (settings.BASE_DIR / "templates" / "500.html").read_text(), re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(block.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in _directives(content_security_policy("example.org"))["style-src"]


def _assert_strict(header: str, host: str = "testserver") -> None:
    d = _directives(header)
    assert d["default-src"] == ["'self'"]
    assert d["script-src"] == ["'self'"]
    assert d["style-src"][0] == "'self'" and "'unsafe-inline'" not in d["style-src"]
    assert d["object-src"] == ["'none'"]
    assert d["base-uri"] == ["'self'"]
    assert d["frame-ancestors"] == ["'none'"]
    assert d["form-action"] == ["'self'"]
    assert d["connect-src"] == ["'self'", f"ws://{host}", f"wss://{host}"]
    assert not any("unsafe-eval" in v for values in d.values() for v in values)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["home", "account_login", "account_signup"])
def test_anonymous_pages_carry_the_policy(anon_client, name):
    response = anon_client.get(reverse(name))
    assert response.status_code == 200
    _assert_strict(response["Content-Security-Policy"])


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["subjects:list", "study:dashboard", "accounts:profile", "account_email"])
def test_logged_in_pages_carry_the_policy(owner_client, name):
    response = owner_client.get(reverse(name))
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    _assert_strict(response["Content-Security-Policy"])


@pytest.mark.django_db
def test_error_pages_and_htmx_fragments_carry_the_policy(owner_client, subject, htmx_headers):
    missing = owner_client.get("/no-such-page/")
    assert missing.status_code == 404
    _assert_strict(missing["Content-Security-Policy"])
    fragment = owner_client.get(reverse("subjects:edit", args=[subject.pk]), **htmx_headers)
    assert fragment.status_code == 200
    _assert_strict(fragment["Content-Security-Policy"])


@pytest.mark.django_db
def test_the_socket_sources_follow_the_requested_host(settings):
    settings.ALLOWED_HOSTS = ["notes.example.org"]
    response = Client(HTTP_HOST="notes.example.org").get(reverse("home"))
    _assert_strict(response["Content-Security-Policy"], host="notes.example.org")


@pytest.mark.django_db
def test_a_refused_host_gets_the_policy_without_socket_sources(settings):
    settings.ALLOWED_HOSTS = ["notes.example.org"]
    response = Client(HTTP_HOST="evil.example").get(reverse("home"))
    assert response.status_code == 400
    assert _directives(response["Content-Security-Policy"])["connect-src"] == ["'self'"]


def test_base_template_keeps_htmx_from_injecting_styles_or_evaluating_code():
    base = (settings.BASE_DIR / "templates" / "base.html").read_text()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", base).group(1)
    assert '"includeIndicatorStyles": false' in config and '"allowEval": false' in config
