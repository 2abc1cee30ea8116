"""The OpenAPI document states every limit the server enforces on what a client sends.

Fields stored in a model are compared with the model field they land in (max_length → maxLength, choices → enum,
a regex validator → pattern, the column's integer range → minimum/maximum); limits that live in services and
settings are listed in ``LIMITS`` with the constants the server checks. A new operation with a body must say
which model it writes (``BODY_MODELS``), so its fields are checked from then on.
"""

import re
from collections import Counter

import pytest
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import RegexValidator
from django.db import connection, models

from apps.accounts import tokens
from apps.chat import services as chat_services
from apps.chat.models import Conversation
from apps.documents import services as documents_services
from apps.flashcards import cards
from apps.flashcards import services as flashcards_services
from apps.flashcards.models import Flashcard, ReviewLog
from apps.lectures.models import Lecture
from apps.sharing.forms import ShareLinkForm
from apps.sharing.models import ShareLink
from apps.subjects.models import Subject
from smartnotes.tests.test_api_hostile_input import SCHEMA, _resolve

# (method, path) of every operation with a body → the model its same-named fields are stored in (None: none).
BODY_MODELS = {
    ("post", "/api/v1/auth/token"): None,
    ("post", "/api/v1/auth/refresh"): None,
    ("post", "/api/v1/subjects/"): Subject,
    ("patch", "/api/v1/subjects/{subject_id}"): Subject,
    ("post", "/api/v1/lectures/subject/{subject_id}"): Lecture,
    ("post", "/api/v1/lectures/{lecture_id}/password"): None,
    ("post", "/api/v1/chat/conversations"): Conversation,
    ("patch", "/api/v1/chat/conversations/{conversation_id}"): Conversation,
    ("post", "/api/v1/chat/conversations/{conversation_id}/messages"): None,
    ("post", "/api/v1/chat/conversations/{conversation_id}/stream"): None,
    ("post", "/api/v1/documents/"): None,  # options are checked by clean_options: see LIMITS
    ("post", "/api/v1/documents/{document_id}/attempts"): None,
    ("post", "/api/v1/flashcards/"): Flashcard,
    ("patch", "/api/v1/flashcards/{card_id}"): Flashcard,
    ("post", "/api/v1/flashcards/bulk"): None,
    ("post", "/api/v1/flashcards/generations"): None,
    ("post", "/api/v1/flashcards/import"): None,
    ("post", "/api/v1/flashcards/{card_id}/grade"): ReviewLog,
    ("post", "/api/v1/share-links/"): ShareLink,
}

FORM = ShareLinkForm.base_fields
QUESTION = {"minLength": 1, "maxLength": chat_services.MAX_QUESTION_CHARS}
CARD_TEXT = {"minLength": 1, "maxLength": cards.MAX_TEXT}
# (method, path, where: "body" or "query", field path) → keywords it must carry, from the constants the server uses.
LIMITS = [
    ("post", "/api/v1/auth/token", "body", ("device",), {"maxLength": tokens.DEVICE_NAME_MAX}),
    ("post", "/api/v1/chat/conversations/{conversation_id}/messages", "body", ("question",), QUESTION),
    ("post", "/api/v1/chat/conversations/{conversation_id}/stream", "body", ("question",), QUESTION),
    (
        "post",
        "/api/v1/documents/",
        "body",
        ("options", "questions"),
        {"minimum": documents_services.QUIZ_MIN, "maximum": documents_services.QUIZ_MAX},
    ),
    ("post", "/api/v1/documents/", "body", ("options", "length"), {"enum": [1, 2]}),
    ("post", "/api/v1/documents/", "body", ("doc_type",), {"enum": list(documents_services.FORMATS)}),
    ("post", "/api/v1/documents/{document_id}/attempts", "body", ("answers", 0), {"minimum": 0, "maximum": 3}),
    (
        "post",
        "/api/v1/documents/{document_id}/attempts",
        "body",
        ("answers",),
        {"maxItems": documents_services.QUIZ_MAX},
    ),
    ("post", "/api/v1/flashcards/", "body", ("question",), CARD_TEXT),
    ("post", "/api/v1/flashcards/", "body", ("answer",), CARD_TEXT),
    ("post", "/api/v1/flashcards/", "body", ("tags",), {"maxItems": cards.MAX_TAGS}),
    ("patch", "/api/v1/flashcards/{card_id}", "body", ("question",), CARD_TEXT),
    ("patch", "/api/v1/flashcards/{card_id}", "body", ("answer",), CARD_TEXT),
    ("patch", "/api/v1/flashcards/{card_id}", "body", ("tags",), {"maxItems": cards.MAX_TAGS}),
    ("post", "/api/v1/flashcards/bulk", "body", ("action",), {"enum": list(cards.BULK_ACTIONS)}),
    ("post", "/api/v1/flashcards/bulk", "body", ("tag",), {"maxLength": cards.TAG_MAX}),
    (
        "post",
        "/api/v1/flashcards/generations",
        "body",
        ("count",),
        {"minimum": flashcards_services.CARDS_MIN, "maximum": flashcards_services.CARDS_MAX},
    ),
    ("post", "/api/v1/flashcards/{card_id}/grade", "body", ("rating",), {"minimum": 1, "maximum": 4}),
    ("post", "/api/v1/share-links/", "body", ("expires_in_days",), {"minimum": 1, "maximum": settings.SHARE_MAX_DAYS}),
    ("post", "/api/v1/share-links/", "body", ("max_views",), {"minimum": 1, "maximum": FORM["max_views"].max_value}),
    ("post", "/api/v1/share-links/", "body", ("password",), {"maxLength": FORM["password"].max_length}),
    ("get", "/api/v1/lectures/{lecture_id}/search", "query", ("k",), {"minimum": 1, "maximum": 50}),
    ("get", "/api/v1/flashcards/queue", "query", ("limit",), {"minimum": 1, "maximum": 50}),
]


def _body_schema(method, path) -> dict:
    content = SCHEMA["paths"][path][method]["requestBody"]["content"]
    return next(iter(content.values()))["schema"]


def _keywords(node: dict) -> dict:
    """A property's own keywords, through $ref, allOf and the non-null branch of ``X | None``."""
    node = _resolve(node)
    merged = {k: v for k, v in node.items() if k not in ("allOf", "anyOf")}
    for part in node.get("allOf", []) + [a for a in node.get("anyOf", []) if a.get("type") != "null"]:
        merged.update(_keywords(part))
    return merged


def _property(method, path, where, field) -> dict:
    if where == "query":
        (name,) = field
        parameters = SCHEMA["paths"][path][method]["parameters"]
        return _keywords(next(p["schema"] for p in parameters if p["in"] == "query" and p["name"] == name))
    node = _keywords(_body_schema(method, path))
    for key in field:
        node = _keywords(node["items"] if isinstance(key, int) else node["properties"][key])
    return node


def test_every_operation_with_a_body_says_which_model_it_writes():
    with_body = {
        (method, path)
        for path, operations in SCHEMA["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    }
    assert with_body == set(BODY_MODELS), "add the new operations to BODY_MODELS (or drop the removed ones)"


def test_schema_names_are_unique_so_no_operation_documents_another_ones_body():
    from ninja import Schema

    import smartnotes.api  # noqa: F401 - imports every router

    classes = {cls for cls in _subclasses(Schema) if cls.__module__.startswith("apps.")}
    twice = [name for name, n in Counter(cls.__name__ for cls in classes).items() if n > 1]
    assert not twice, f"these schema names are used twice, so the OpenAPI document shows one for both: {twice}"


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _integer_range(field: models.Field) -> tuple[int | None, int | None]:
    return connection.ops.integer_field_range(field.get_internal_type())


def _expected_from_model(field: models.Field) -> dict:
    expected = {}
    if isinstance(field, ArrayField):
        inner = _expected_from_model(field.base_field)
        return {"items": inner} if inner else {}
    if field.max_length and isinstance(field, models.CharField | models.TextField):
        expected["maxLength"] = field.max_length
    if field.choices:  # an enum needs no length
        return {"enum": sorted(value for value, _ in field.flatchoices)}
    for validator in field.validators:
        if isinstance(validator, RegexValidator):
            expected["pattern"] = validator.regex.pattern
    if isinstance(field, models.IntegerField) and not field.choices:
        expected["minimum"], expected["maximum"] = _integer_range(field)
    return expected


def _meets(schema: dict, expected: dict) -> list[str]:
    problems = []
    for keyword, limit in expected.items():
        have = schema.get(keyword)
        if keyword == "items":
            problems += [f"items {p}" for p in _meets(_keywords(schema.get("items", {})), limit)]
        elif have is None:
            problems.append(f"no {keyword} (the server allows {limit})")
        elif keyword == "maxLength" and have > limit:
            problems.append(f"maxLength {have} > {limit}")
        elif keyword == "minimum" and have < limit:
            problems.append(f"minimum {have} < {limit}")
        elif keyword == "maximum" and have > limit:
            problems.append(f"maximum {have} > {limit}")
        elif keyword == "enum" and sorted(have) != sorted(limit):
            problems.append(f"enum {have} != {limit}")
        elif keyword == "pattern" and have != limit:
            problems.append(f"pattern {have!r} != {limit!r}")
    return problems


@pytest.mark.parametrize(("method", "path"), [op for op, model in BODY_MODELS.items() if model], ids=str)
def test_fields_stored_in_a_model_carry_its_limits(method, path):
    model = BODY_MODELS[(method, path)]
    body = _keywords(_body_schema(method, path))
    problems, checked = [], 0
    for name, prop in body["properties"].items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # an option or a value the service turns into fields
            continue
        if not field.concrete or field.is_relation:
            continue
        expected = _expected_from_model(field)
        checked += bool(expected)
        problems += [f"{name}: {p}" for p in _meets(_keywords(prop), expected)]
    assert checked, f"no field of {method} {path} is stored in {model.__name__}: fix BODY_MODELS"
    assert not problems, f"{method} {path} (stored in {model.__name__}): {problems}"


@pytest.mark.parametrize(("method", "path", "where", "field", "expected"), LIMITS, ids=lambda v: str(v))
def test_limits_checked_in_services_are_in_the_schema(method, path, where, field, expected):
    schema = _property(method, path, where, field)
    assert not _meets(schema, expected), (schema, expected)
    for keyword in ("minLength", "maxItems"):
        if keyword in expected:
            assert schema.get(keyword) == expected[keyword], (keyword, schema)


def test_a_share_password_is_none_or_as_long_as_the_share_form_wants():
    pattern = re.compile(_property("post", "/api/v1/share-links/", "body", ("password",))["pattern"])
    shortest = FORM["password"].min_length
    assert pattern.fullmatch("") and pattern.fullmatch("x" * shortest) and pattern.fullmatch("a\nb c")
    assert not pattern.fullmatch("x" * (shortest - 1))


def test_the_documented_limits_are_the_ones_enforced(api, subject):
    """Two of them end to end: one past each documented edge is a 422 naming the field."""
    import json

    too_long = api.post("/api/v1/subjects/", json.dumps({"name": "x" * 121}), content_type="application/json").json()
    assert too_long["code"] == "invalid" and "name" in too_long["detail"]
    bad_icon = api.patch(
        f"/api/v1/subjects/{subject.pk}", json.dumps({"icon": "rocket"}), content_type="application/json"
    ).json()
    assert bad_icon["code"] == "invalid" and "icon" in bad_icon["detail"]
