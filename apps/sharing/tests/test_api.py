"""/api/v1/share-links: create (the link is returned once and works), list, revoke (stops at once)."""

import json

import pytest
from django.test import Client

from apps.sharing.models import ShareLink
from tests.api_clients import token_client
from tests.factories import LectureFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/share-links/"


@pytest.fixture
def lecture(user, subject):
    from apps.lectures.models import LecturePage

    lecture = LectureFactory(owner=user, subject=subject, name="Week 1", status="completed", page_count=1)
    LecturePage.objects.create(lecture=lecture, number=1, text="Mitochondria make ATP.", method="native")
    return lecture


def test_create_list_revoke(user, password, lecture):
    api = token_client(user, password)
    created = api.post(API, json.dumps({"lecture_id": lecture.pk, "max_views": 3}), content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["state"], body["max_views"], body["target_name"]) == ("active", 3, "Week 1")
    code = body["url"].rstrip("/").rsplit("/", 1)[-1]
    assert ShareLink.objects.get(pk=body["id"]).code_sha256 != code  # only the digest is stored
    assert Client().get(body["url"].split("testserver", 1)[-1]).status_code == 200
    listed = api.get(API, {"lecture_id": lecture.pk}).json()
    assert [link["id"] for link in listed["items"]] == [body["id"]] and "url" not in listed["items"][0]
    revoked = api.post(f"{API}{body['id']}/revoke")
    assert revoked.json()["state"] == "revoked"
    assert Client().get(body["url"].split("testserver", 1)[-1]).status_code == 410


def test_refusals(user, password, lecture, settings):
    api = token_client(user, password)
    both = api.post(API, json.dumps({}), content_type="application/json")
    assert both.status_code == 422
    settings.SHARE_MAX_DAYS = 5
    too_long = api.post(
        API, json.dumps({"lecture_id": lecture.pk, "expires_in_days": 9}), content_type="application/json"
    )
    assert too_long.status_code == 422 and "between 1 and 5 days" in too_long.json()["detail"]
