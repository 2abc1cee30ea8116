"""Hostile text in every string field of every /api/v1 request body, found by walking the OpenAPI document.

Each operation with a JSON or form body starts from its valid sample (``SAMPLES`` of the personas test, or the
schema's required fields for the public ones) and sends it once per string field per hostile value
(tests/hostile.py): the answer is never a 5xx, always in the API's error shape when it is an error, and text that
cannot be stored (NUL, a lone surrogate) is a 400 naming the field. A new endpoint or field is covered as soon as
it is in the schema.
"""

import copy
import json

import pytest
from allauth.usersessions.models import UserSession

from smartnotes.tests.test_api_personas import SAMPLES, THREADED, _world
from tests import hostile
from tests.api_clients import token_client
from tests.html_forms import multipart_body

pytestmark = pytest.mark.django_db
JSON, MULTIPART = "application/json", "multipart/form-data"


def _schema() -> dict:
    import django

    django.setup()
    from smartnotes.api import api

    return api.get_openapi_schema()


SCHEMA = _schema()


def _resolve(node: dict) -> dict:
    while "$ref" in node:
        node = SCHEMA["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def string_fields(node: dict, path: tuple = ()) -> list[tuple]:
    """Paths (keys, and 0 for a list's first item) of every text field in a request body schema; a free-form
    object gets a new key of its own, whose value the server must cope with too."""
    node = _resolve(node)
    found = []
    for alternative in node.get("anyOf", []):
        found += [p for p in string_fields(alternative, path) if p not in found]
    kind = node.get("type")
    if kind == "string" and node.get("format") != "binary":
        found.append(path)
    elif kind == "object":
        for name, prop in node.get("properties", {}).items():
            found += string_fields(prop, (*path, name))
        if not node.get("properties") and node.get("additionalProperties", True) is not False:
            found.append((*path, "note"))
    elif kind == "array":
        found += string_fields(node.get("items", {}), (*path, 0))
    return found


def _minimal(node: dict) -> dict:
    """A body holding the schema's required fields (only for operations without a sample: the public ones)."""
    node = _resolve(node)
    examples = {"string": "x", "integer": 1, "number": 1, "boolean": False, "array": [], "object": {}}
    return {name: examples[_resolve(node["properties"][name]).get("type", "string")] for name in node["required"]}


def _body_operations():
    for path, operations in SCHEMA["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            for media_type in (JSON, MULTIPART):
                if media_type in content and string_fields(content[media_type]["schema"]):
                    yield pytest.param(
                        method,
                        path,
                        media_type,
                        id=f"{method} {path}",
                        marks=[pytest.mark.django_db(transaction=True)] if (method, path) in THREADED else [],
                    )


def test_the_walk_finds_the_body_fields_of_the_schema():
    operations = {p.values[:2]: p.values[2] for p in _body_operations()}
    assert operations[("post", "/api/v1/subjects/")] == JSON
    assert operations[("post", "/api/v1/lectures/subject/{subject_id}")] == MULTIPART
    card = SCHEMA["paths"]["/api/v1/flashcards/"]["post"]["requestBody"]["content"][JSON]["schema"]
    assert set(string_fields(card)) >= {("question",), ("answer",), ("card_type",), ("tags", 0), ("options", 0)}
    assert string_fields({"type": "object", "properties": {"options": {"type": "object"}}}) == [("options", "note")]


def _with(body, path: tuple, value):
    body = copy.deepcopy(body)
    target = body
    for key, next_key in zip(path, path[1:], strict=False):
        if isinstance(target, list):
            while len(target) <= key:
                target.append([] if isinstance(next_key, int) else {})
        elif key not in target or not isinstance(target[key], list | dict):
            target[key] = [] if isinstance(next_key, int) else {}
        target = target[key]
    last = path[-1]
    if isinstance(target, list):
        target[last:] = [value]
    else:
        target[last] = value
    return body


def _base_body(method, path, media_type, ids):
    sample = SAMPLES.get((method, path))
    if sample is None or sample[1] is None:
        return _minimal(SCHEMA["paths"][path][method]["requestBody"]["content"][media_type]["schema"])
    kwargs = sample[1](ids)
    return json.loads(kwargs["data"]) if media_type == JSON else kwargs["data"]


@pytest.mark.parametrize(("method", "path", "media_type"), list(_body_operations()))
def test_hostile_text_in_every_body_field_is_never_a_server_error(method, path, media_type, user, password):
    client = token_client(user, password)
    ids = _world(user)
    ids["device_id"] = UserSession.objects.filter(user=user).values_list("pk", flat=True).first()
    url = path.format(**ids)
    schema = SCHEMA["paths"][path][method]["requestBody"]["content"][media_type]["schema"]

    for field in string_fields(schema):

        def check(value, field=field):
            body = _with(_base_body(method, path, media_type, ids), field, value)
            if media_type == JSON:
                data, content_type = json.dumps(body), JSON
            else:
                data, content_type = multipart_body(body.items())
            response = client.generic(method.upper(), url, data, content_type=content_type)
            content = b"".join(response) if response.streaming else response.content
            where = f"{method} {path} with {field} = {value[:40]!r}…"
            assert response.status_code < 500, (where, content[:500])
            if response.streaming:  # Server-Sent Events: the stream ends with its answer or a stated refusal
                events = [line[7:] for line in content.decode().splitlines() if line.startswith("event: ")]
                assert events and events[-1] in ("done", "error"), (where, content[-300:])
            elif response.status_code >= 400:
                error = json.loads(content)
                assert error["detail"] and error["code"], (where, error)
            # A surrogate in a form body arrives as invalid UTF-8, which Django decodes to U+FFFD: storable.
            if hostile.NUL in value or (media_type == JSON and hostile.is_unstorable(value)):
                assert response.status_code == 400, (where, content[:300])
                assert error["code"] == "invalid_text", (where, error)
                assert f"“{field[0]}" in error["detail"], (where, error)

        hostile.for_each_value(check)
