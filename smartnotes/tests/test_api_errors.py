"""One error shape for the whole API: {"detail", "code"} JSON for every 4xx/5xx, 422 with the field errors,
429 with retry_after and Retry-After."""

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _shape(response, status, code):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and isinstance(body["detail"], str) and body["detail"]
    return body


def test_unknown_api_path_is_a_json_404(owner_client, anon_client):
    assert _shape(owner_client.get("/api/v1/no-such-thing"), 404, "not_found")["detail"] == "Not found."
    assert _shape(anon_client.get("/api/v2/subjects/"), 404, "not_found")["detail"] == "Not found."


def test_wrong_method_is_a_json_405(owner_client):
    body = _shape(owner_client.put("/api/v1/flashcards/queue"), 405, "method_not_allowed")
    assert "GET" in body["detail"]


def test_unauthenticated_and_csrf(anon_client, user):
    assert _shape(anon_client.get("/api/v1/subjects/"), 401, "unauthenticated")["detail"] == "Log in first."
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    _shape(
        browser.post("/api/v1/subjects/", json.dumps({"name": "X"}), content_type="application/json"), 403, "forbidden"
    )


def test_422_names_the_fields_and_keeps_their_errors(owner_client):
    body = _shape(
        owner_client.post("/api/v1/flashcards/", json.dumps({"question": 5}), content_type="application/json"),
        422,
        "invalid",
    )
    assert "lecture_id" in body["detail"]
    assert {tuple(e["loc"]) for e in body["errors"]} >= {("body", "payload", "lecture_id")}


def test_malformed_json_is_a_4xx(owner_client):
    response = owner_client.post("/api/v1/subjects/", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response.json()["code"] in ("invalid", "bad_request")


def test_500_is_json_too(owner_client, monkeypatch):
    from apps.subjects import selectors

    def boom(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(selectors, "subjects_for_user", boom)
    owner_client.raise_request_exception = False
    body = _shape(owner_client.get("/api/v1/subjects/"), 500, "server_error")
    assert "fire" not in body["detail"]
