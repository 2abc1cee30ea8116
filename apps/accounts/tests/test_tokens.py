"""Bearer tokens for the API: log in, use, expiry, refresh rotation and reuse detection, revocation, devices."""

import json
import time

import jwt
import pytest
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token"
REFRESH = "/api/v1/auth/refresh"


def _post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def _log_in(user, password, device="test phone"):
    response = _post(Client(), TOKEN, {"login": user.username, "password": password, "device": device})
    assert response.status_code == 200, response.content
    return response.json()


def _bearer(access):
    return {"HTTP_AUTHORIZATION": f"Bearer {access}"}


def _subjects(access):
    return Client().get("/api/v1/subjects/", **_bearer(access))


def test_log_in_gives_a_pair_that_reads_only_my_data(user, other_user, password):
    SubjectFactory(user=user, name="Mine")
    SubjectFactory(user=other_user, name="Theirs")
    pair = _log_in(user, password)
    assert pair["token_type"] == "Bearer"
    assert pair["expires_in"] == 15 * 60 and pair["refresh_expires_in"] == 7 * 86400
    claims = jwt.decode(pair["access_token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 15 * 60
    response = _subjects(pair["access_token"])
    assert response.status_code == 200
    assert [s["name"] for s in response.json()["items"]] == ["Mine"]
    other = _log_in(other_user, password)
    assert [s["name"] for s in _subjects(other["access_token"]).json()["items"]] == ["Theirs"]


def test_log_in_by_email_and_wrong_password(user, password):
    assert _post(Client(), TOKEN, {"login": user.email, "password": password}).status_code == 200
    response = _post(Client(), TOKEN, {"login": user.username, "password": "nope"})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_brute_force_on_the_token_endpoint_is_throttled(user):
    codes = [_post(Client(), TOKEN, {"login": user.username, "password": f"guess{i}"}).status_code for i in range(8)]
    assert codes[0] == 401
    assert codes[-1] == 429  # allauth's login_failed limit (5 a minute per key)


def test_a_token_needs_no_csrf_and_a_bad_one_says_why(user, password):
    pair = _log_in(user, password)
    client = Client(enforce_csrf_checks=True)
    created = _post(client, "/api/v1/subjects/", {"name": "Biology"}, **_bearer(pair["access_token"]))
    assert created.status_code == 201
    bad = Client().get("/api/v1/subjects/", **_bearer("not-a-token"))
    assert bad.status_code == 401
    assert bad.json()["code"] == "token_invalid"
    # a refresh token is not an access token
    wrong_use = Client().get("/api/v1/subjects/", **_bearer(pair["refresh_token"]))
    assert (wrong_use.status_code, wrong_use.json()["code"]) == (401, "token_invalid")


def test_an_expired_access_token_is_401_token_expired(user, password):
    with override_settings(HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN=1):
        pair = _log_in(user, password)
    time.sleep(2.1)
    response = _subjects(pair["access_token"])
    assert response.status_code == 401
    assert response.json() == {"detail": "The access token expired; refresh it.", "code": "token_expired"}
    # the refresh token still works and gives a fresh access token
    fresh = _post(Client(), REFRESH, {"refresh_token": pair["refresh_token"]})
    assert fresh.status_code == 200
    assert _subjects(fresh.json()["access_token"]).status_code == 200


def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_family(user, password):
    first = _log_in(user, password)
    second = _post(Client(), REFRESH, {"refresh_token": first["refresh_token"]}).json()
    assert second["refresh_token"] != first["refresh_token"]
    third = _post(Client(), REFRESH, {"refresh_token": second["refresh_token"]}).json()
    assert _subjects(third["access_token"]).status_code == 200

    # The first refresh token comes back (stolen): the whole session ends, for the thief and the owner.
    reused = _post(Client(), REFRESH, {"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401
    assert reused.json()["code"] == "token_reused"
    assert _subjects(third["access_token"]).json()["code"] == "token_revoked"
    assert _post(Client(), REFRESH, {"refresh_token": third["refresh_token"]}).status_code == 401


def test_logout_revokes_at_once(user, password):
    pair = _log_in(user, password)
    other_device = _log_in(user, password, device="laptop")
    assert Client().post("/api/v1/auth/logout", **_bearer(pair["access_token"])).status_code == 204
    assert _subjects(pair["access_token"]).json()["code"] == "token_revoked"
    assert _post(Client(), REFRESH, {"refresh_token": pair["refresh_token"]}).status_code == 401
    assert _subjects(other_device["access_token"]).status_code == 200  # only that device


def test_devices_list_and_revoke_one_or_all(user, other_user, password):
    phone = _log_in(user, password, device="phone")
    laptop = _log_in(user, password, device="laptop")
    theirs = _log_in(other_user, password, device="their phone")
    devices = Client().get("/api/v1/auth/devices", **_bearer(laptop["access_token"])).json()["items"]
    assert {d["name"] for d in devices} == {"phone", "laptop"}
    assert [d["current"] for d in devices if d["name"] == "laptop"] == [True]
    assert all(d["kind"] == "api" for d in devices)

    their_id = Client().get("/api/v1/auth/devices", **_bearer(theirs["access_token"])).json()["items"][0]["id"]
    not_mine = Client().delete(f"/api/v1/auth/devices/{their_id}", **_bearer(laptop["access_token"]))
    assert not_mine.status_code == 404
    assert _subjects(theirs["access_token"]).status_code == 200

    phone_id = next(d["id"] for d in devices if d["name"] == "phone")
    assert Client().delete(f"/api/v1/auth/devices/{phone_id}", **_bearer(laptop["access_token"])).status_code == 204
    assert _subjects(phone["access_token"]).json()["code"] == "token_revoked"

    _log_in(user, password, device="tablet")
    everything = Client().delete("/api/v1/auth/devices", **_bearer(laptop["access_token"]))
    assert everything.json() == {"revoked": 1}
    assert _subjects(laptop["access_token"]).status_code == 200  # the asking device is kept


def test_profile_page_lists_devices_and_revokes(owner_client, user, other_user, password):
    pair = _log_in(user, password, device="Ada's phone")
    theirs = _log_in(other_user, password, device="Bob's phone")
    html = owner_client.get(reverse("accounts:profile")).content.decode()
    assert "API access" in html and "Ada&#x27;s phone" in html and "Bob" not in html
    from allauth.usersessions.models import UserSession

    mine = UserSession.objects.get(user=user, data__device="Ada's phone")
    their = UserSession.objects.get(user=other_user)
    assert owner_client.post(reverse("accounts:revoke_device", args=[their.pk])).status_code == 404
    assert _subjects(theirs["access_token"]).status_code == 200
    response = owner_client.post(reverse("accounts:revoke_device", args=[mine.pk]))
    assert response.status_code == 302
    assert _subjects(pair["access_token"]).json()["code"] == "token_revoked"
    # revoking everything else keeps the browser that asks
    _log_in(user, password, device="tablet")
    owner_client.post(reverse("accounts:revoke_devices"))
    assert owner_client.get(reverse("accounts:profile")).status_code == 200
    assert not UserSession.objects.filter(user=user, data__kind="api").exists()


def test_tokens_stored_nowhere_in_clear(user, password):
    pair = _log_in(user, password)
    for session in Session.objects.all():
        assert pair["refresh_token"] not in session.session_data
        assert pair["access_token"] not in session.session_data
