import pytest
from django.core.files.base import ContentFile

from apps.lectures.models import Lecture
from tests.factories import tiny_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture(user, subject):
    lecture = Lecture(owner=user, subject=subject, name="W1", original_filename="w1.pdf", file_type="pdf")
    lecture.file.save("w1.pdf", ContentFile(tiny_pdf()), save=False)  # Retry reads the original again
    lecture.save()
    return lecture


@pytest.mark.parametrize(
    "path", ["/api/v1/lectures/{pk}", "/api/v1/lectures/{pk}/pages", "/api/v1/lectures/{pk}/search?q=x"]
)
def test_three_personas(owner_client, other_client, anon_client, lecture, path):
    url = path.format(pk=lecture.pk)
    assert owner_client.get(url).status_code == 200
    assert other_client.get(url).status_code == 404
    assert anon_client.get(url).status_code == 401


def test_subject_listing_is_scoped(owner_client, other_client, lecture):
    listed = owner_client.get(f"/api/v1/lectures/subject/{lecture.subject_id}").json()
    assert [x["name"] for x in listed["items"]] == ["W1"] and listed["count"] == 1
    assert other_client.get(f"/api/v1/lectures/subject/{lecture.subject_id}").status_code == 404


def _api(user, password):
    from tests.api_clients import token_client

    return token_client(user, password)


def test_upload_through_the_api_with_a_token(user, subject, password):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import tiny_pdf

    api = _api(user, password)
    upload = SimpleUploadedFile("week1.pdf", tiny_pdf("Cells and tissues"), content_type="application/pdf")
    created = api.post(f"/api/v1/lectures/subject/{subject.pk}", {"file": upload, "name": "Week 1"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["name"], body["status"], body["file_type"]) == ("Week 1", "pending", "pdf")
    bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00 not a document", content_type="application/octet-stream")
    refused = api.post(f"/api/v1/lectures/subject/{subject.pk}", {"file": bad})
    assert refused.status_code == 422 and refused.json()["code"] == "invalid"


def test_upload_rate_limit_is_429_with_retry_after(user, subject, password, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import tiny_pdf

    settings.UPLOAD_RATE_PER_HOUR = 1
    api = _api(user, password)
    for expected in (201, 429):
        upload = SimpleUploadedFile("w.pdf", tiny_pdf("Cells"), content_type="application/pdf")
        response = api.post(f"/api/v1/lectures/subject/{subject.pk}", {"file": upload})
        assert response.status_code == expected
    assert int(response["Retry-After"]) == response.json()["retry_after"] > 0


def test_lecture_actions_and_another_users_token(user, other_user, password, lecture):
    api, other = _api(user, password), _api(other_user, password)
    Lecture.objects.filter(pk=lecture.pk).update(status="failed", error_code="internal")
    for action in ("retry", "reprocess", "clear"):
        assert other.post(f"/api/v1/lectures/{lecture.pk}/{action}").status_code == 404
    assert other.get(f"/api/v1/lectures/{lecture.pk}/figures").status_code == 404
    assert other.delete(f"/api/v1/lectures/{lecture.pk}").status_code == 404
    retried = api.post(f"/api/v1/lectures/{lecture.pk}/retry")
    assert retried.status_code == 202 and retried.json()["status"] == "pending"
    assert api.post(f"/api/v1/lectures/{lecture.pk}/clear").json() == {"chunks_deleted": 0}
    assert api.get(f"/api/v1/lectures/{lecture.pk}/figures").json() == {"items": [], "count": 0}
    no_password = api.post(
        f"/api/v1/lectures/{lecture.pk}/password", '{"password": "x"}', content_type="application/json"
    )
    assert no_password.status_code == 409 and no_password.json()["code"] == "conflict"
    assert api.delete(f"/api/v1/lectures/{lecture.pk}").status_code == 204
    assert not Lecture.objects.filter(pk=lecture.pk).exists()


def test_subject_update_and_delete(user, other_user, password, subject):
    api, other = _api(user, password), _api(other_user, password)
    url = f"/api/v1/subjects/{subject.pk}"
    assert other.patch(url, '{"name": "Mine now"}', content_type="application/json").status_code == 404
    renamed = api.patch(url, '{"name": "Cell biology"}', content_type="application/json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "Cell biology"
    blank = api.patch(url, '{"name": "   "}', content_type="application/json")
    assert blank.status_code == 422
    assert other.delete(url).status_code == 404
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404
