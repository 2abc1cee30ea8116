"""/study/reading/ (the heartbeat of static/js/study.js) and /study/remedial/ for the owner, another user and an
anonymous visitor."""

import pytest
from django.urls import reverse

from apps.flashcards.models import CardGeneration
from apps.study.models import StudySession
from tests.factories import LectureFactory

pytestmark = pytest.mark.django_db
READING = reverse("study:reading")


@pytest.fixture
def lecture(user, subject):
    return LectureFactory(owner=user, subject=subject, status="completed", page_count=4)


def test_the_owner_records_reading(owner_client, lecture):
    response = owner_client.post(READING, {"lecture": lecture.pk, "page": 2, "seconds": 30, "view": "x1"})
    assert response.status_code == 204
    s = StudySession.objects.get()
    assert (s.user_id, s.lecture_id, s.items_completed, s.duration) == (lecture.owner_id, lecture.pk, 1, 30)
    assert owner_client.post(READING, {"lecture": lecture.pk, "seconds": 0, "view": "x2"}).status_code == 204
    assert StudySession.objects.get().metadata["pages"] == {"2": 1, "lecture": 1}


def test_another_users_lecture_is_a_404_and_records_nothing(other_client, lecture):
    assert other_client.post(READING, {"lecture": lecture.pk, "page": 1, "seconds": 30}).status_code == 404
    assert not StudySession.objects.exists()


def test_anonymous_is_sent_to_log_in(anon_client, lecture):
    response = anon_client.post(READING, {"lecture": lecture.pk, "page": 1, "seconds": 30})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not StudySession.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{"lecture": "x"}, {"page": "2.5"}, {"page": "-1"}, {"page": "5"}, {"page": "0"}, {"seconds": "ten"}],
)
def test_bad_beats_are_refused(owner_client, lecture, data):
    assert owner_client.post(READING, {"lecture": lecture.pk, "seconds": 5, **data}).status_code == 400
    assert not StudySession.objects.exists()


def test_a_lecture_still_being_read_records_nothing(owner_client, user, subject):
    busy = LectureFactory(owner=user, subject=subject, status="processing", page_count=4)
    assert owner_client.post(READING, {"lecture": busy.pk, "page": 1, "seconds": 30}).status_code == 204
    assert not StudySession.objects.exists()


def test_only_get_for_the_reading_beat_is_refused(owner_client):
    assert owner_client.get(READING).status_code == 405


def test_the_lecture_and_page_views_carry_the_beacon(owner_client, lecture, other_client):
    from apps.lectures.models import LecturePage

    LecturePage.objects.create(lecture=lecture, number=1, text="Hello", method="text")
    page_html = owner_client.get(reverse("lectures:page", args=[lecture.pk, 1])).content.decode()
    assert "data-study-reading" in page_html and 'data-study-page="1"' in page_html and "js/study.js" in page_html
    assert "data-study-reading" in owner_client.get(reverse("lectures:detail", args=[lecture.pk])).content.decode()


def test_remedial_without_weak_pages_explains(owner_client):
    response = owner_client.post(reverse("study:remedial"), follow=True)
    assert "No weak pages yet" in response.content.decode()
    assert not CardGeneration.objects.exists()


def test_remedial_is_post_only_and_needs_a_login(owner_client, anon_client):
    assert owner_client.get(reverse("study:remedial")).status_code == 405
    assert anon_client.post(reverse("study:remedial")).status_code == 302
