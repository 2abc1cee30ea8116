import pytest

from tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db


def test_owner_lists_and_reads_their_subjects(owner_client, subject, other_user):
    SubjectFactory(user=other_user, name="Not yours")
    listed = owner_client.get("/api/v1/subjects/").json()["items"]
    assert [s["name"] for s in listed] == ["Algorithms"]
    assert owner_client.get(f"/api/v1/subjects/{subject.pk}").json()["name"] == "Algorithms"


def test_another_user_gets_404_in_the_error_shape(other_client, subject):
    response = other_client.get(f"/api/v1/subjects/{subject.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_anonymous_gets_401(anon_client, subject):
    response = anon_client.get("/api/v1/subjects/")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_create_and_duplicate(owner_client, subject):
    created = owner_client.post("/api/v1/subjects/", {"name": "Physics"}, content_type="application/json")
    assert created.status_code == 201 and created.json()["name"] == "Physics"
    duplicate = owner_client.post("/api/v1/subjects/", {"name": "physics"}, content_type="application/json")
    assert duplicate.status_code == 422 or duplicate.status_code == 409
    assert "already have a subject" in duplicate.json()["detail"]


def test_docs_are_served_without_a_cdn(owner_client):
    html = owner_client.get("/api/v1/docs").content.decode()
    assert "cdn.jsdelivr" not in html and "swagger-ui" in html
