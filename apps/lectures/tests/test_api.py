import pytest

from apps.lectures.models import Lecture

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture(user, subject):
    return Lecture.objects.create(owner=user, subject=subject, name="W1", original_filename="w1.pdf", file_type="pdf")


@pytest.mark.parametrize(
    "path", ["/api/v1/lectures/{pk}", "/api/v1/lectures/{pk}/pages", "/api/v1/lectures/{pk}/search?q=x"]
)
def test_three_personas(owner_client, other_client, anon_client, lecture, path):
    url = path.format(pk=lecture.pk)
    assert owner_client.get(url).status_code == 200
    assert other_client.get(url).status_code == 404
    assert anon_client.get(url).status_code == 401


def test_subject_listing_is_scoped(owner_client, other_client, lecture):
    assert [x["name"] for x in owner_client.get(f"/api/v1/lectures/subject/{lecture.subject_id}").json()] == ["W1"]
    assert other_client.get(f"/api/v1/lectures/subject/{lecture.subject_id}").status_code == 404
