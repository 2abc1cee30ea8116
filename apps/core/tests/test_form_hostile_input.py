"""Hostile text in every field of every HTML form of the site, found by rendering every page of the URLconf.

Every named URL is built with real objects of one student (``_world`` of the API personas test plus an exam and
two share links) and fetched as that student and as a visitor; each <form> on the pages that answer HTML (htmx
fragments included) is submitted as a browser would — its current values and CSRF token — once per field per
hostile value (tests/hostile.py), each time inside a savepoint that is rolled back, so every submission meets the
same data. No answer is a 5xx, and a NUL is a clear 400 (apps/core/hygiene.py). A lone surrogate cannot reach a
form view: on the wire it is invalid UTF-8, which Django decodes to U+FFFD.
"""

import itertools

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from apps.lectures.models import Lecture
from apps.sharing import services as sharing_services
from smartnotes.tests.test_api_personas import _world
from tests import hostile
from tests.factories import LectureFactory
from tests.html_forms import encode_pairs, forms_in, multipart_body

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
NOT_PAGES = ("admin", "api")  # the admin is staff-only; the API's bodies have their own test
# URLs whose parameters come from an e-mail (a confirmation key): no page of a logged-in student links to them.
EMAILED = {"account_confirm_email", "account_reset_password_from_key"}


def named_urls() -> list[tuple[str, list[str]]]:
    """(name for reverse(), its parameters) of every named URL of the site, outside NOT_PAGES."""
    found = []

    def walk(resolver, namespace, prefix):
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if route.startswith(NOT_PAGES):
                continue
            if isinstance(entry, URLResolver):
                inner = ":".join(filter(None, [namespace, entry.namespace])) if entry.namespace else namespace
                walk(entry, inner, route)
            elif isinstance(entry, URLPattern) and entry.name:
                pattern = entry.pattern
                params = (
                    list(pattern.converters) if isinstance(pattern, RoutePattern) else list(pattern.regex.groupindex)
                )
                found.append((f"{namespace}:{entry.name}" if namespace else entry.name, params))

    walk(get_resolver(), None, "")
    return found


def _student_world(user, fixtures_dir) -> dict:
    ids = _world(user)
    lecture = Lecture.objects.get(pk=ids["lecture_id"])
    exam = LectureFactory(
        owner=user,
        subject=lecture.subject,
        role="exam",
        status="completed",
        page_count=1,
        metadata={"exam_questions": [{"label": "1", "text": "What is a cell?", "points": 4}]},
    )
    # A PDF that needs its password: its page shows the password form.
    locked = LectureFactory(
        owner=user, subject=lecture.subject, status="failed", error_code="encrypted", error_message="Locked."
    )
    locked.file.save("locked.pdf", ContentFile((fixtures_dir / "hostile/ocrmypdf_skew-encrypted.pdf").read_bytes()))
    chat_link = sharing_services.create_link(actor=user, lecture=lecture, expires_in_days=3, mode="chat")
    locked_link = sharing_services.create_link(actor=user, lecture=lecture, expires_in_days=3, password="open sesame")
    return {**ids, "exam_id": exam.pk, "locked_id": locked.pk, "codes": [chat_link.code, locked_link.code]}


def _kwargs_options(name: str, params: list[str], world: dict) -> list[dict]:
    namespace = name.split(":")[0] if ":" in name else ""
    pk = {
        "subjects": world["subject_id"],
        "lectures": [world["lecture_id"], world["locked_id"]],
        "chat": world["conversation_id"],
        "documents": world["exam_id"] if name == "documents:exam" else world["document_id"],
        "flashcards": world["generation_id"] if "generation" in name else world["card_id"],
        "sharing": world["link_id"],
        "accounts": world["device_id"],
    }.get(namespace)
    if name == "flashcards:export":
        pk = world["subject_id"]
    values = {
        "pk": pk if isinstance(pk, list) else [pk],
        "subject_pk": [world["subject_id"]],
        "lecture_pk": [world["lecture_id"]],
        "document_pk": [world["document_id"]],
        "attempt_pk": [world["attempt_id"]],
        "figure_pk": [world["figure_id"]],
        "number": [1],
        "code": world["codes"],
        "scope": ["subject"],
        "fmt": ["csv"],
    }
    unknown = [p for p in params if p not in values or values[p] == [None]]
    assert not unknown, f"{name}: give test_form_hostile_input a value for {unknown}"
    return [dict(zip(params, combo, strict=True)) for combo in itertools.product(*(values[p] for p in params))]


def page_urls(world: dict) -> list[str]:
    urls = []
    for name, params in named_urls():
        if name in EMAILED:
            continue
        urls += [reverse(name, kwargs=kwargs) for kwargs in _kwargs_options(name, params, world)]
    return urls


def _collect_forms(clients: dict, urls: list[str]) -> dict:
    forms = {}
    for who, client in clients.items():
        for url in urls:
            response = client.get(url)
            # A 401 page can hold a form too (a share link's password).
            if response.status_code >= 500 or not response.get("Content-Type", "").startswith("text/html"):
                continue
            for form in forms_in(response.content, url):
                if form.names:
                    forms.setdefault((who, *form.key()), (client, form))
    return forms


def _submit(client, form, pairs):
    headers = {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value} if "csrftoken" in client.cookies else {}
    if form.htmx:
        headers["HTTP_HX_REQUEST"] = "true"
    if form.method == "get":
        return client.get(f"{form.action.split('?')[0]}?{encode_pairs(pairs)}", **headers)
    if form.multipart:
        body, content_type = multipart_body(pairs)
    else:
        body, content_type = encode_pairs(pairs), "application/x-www-form-urlencoded"
    return client.generic(form.method.upper(), form.action, body, content_type=content_type, **headers)


def test_hostile_text_in_every_form_field_is_never_a_server_error(user, fixtures_dir):
    world = _student_world(user, fixtures_dir)
    student = Client(enforce_csrf_checks=True)
    student.force_login(user)
    student.get(reverse("accounts:profile"))  # the browser session's device row exists from the first page on
    from allauth.usersessions.models import UserSession

    world["device_id"] = UserSession.objects.filter(user=user).values_list("pk", flat=True).first() or 0
    clients = {"student": student, "visitor": Client(enforce_csrf_checks=True)}
    forms = _collect_forms(clients, page_urls(world))

    actions = {(who, method, path) for who, method, path, _ in forms}
    for expected in (
        ("student", "post", reverse("subjects:create")),
        ("student", "post", reverse("flashcards:edit", args=[world["card_id"]])),
        ("student", "post", reverse("documents:exam", args=[world["exam_id"]])),
        ("student", "post", reverse("lectures:password", args=[world["locked_id"]])),
        ("visitor", "post", reverse("account_login")),
        ("visitor", "post", reverse("share:unlock", args=[world["codes"][1]])),
    ):
        assert expected in actions, f"the walk missed {expected}; found {sorted(actions)}"

    for (who, *_), (client, form) in forms.items():
        for name in form.names:

            def check(value, client=client, form=form, name=name, who=who):
                savepoint = transaction.savepoint()
                try:
                    response = _submit(client, form, form.pairs_with(name, value))
                finally:
                    transaction.savepoint_rollback(savepoint)
                where = f"{who}: {form.method} {form.action} (from {form.page}) with {name} = {value[:40]!r}…"
                assert response.status_code < 500, (where, response.content[:500])
                if hostile.NUL in value:
                    assert response.status_code == 400, (where, response.status_code, response.content[:300])
                    assert "NUL character" in response.content.decode(), where

            hostile.for_each_value(check)
