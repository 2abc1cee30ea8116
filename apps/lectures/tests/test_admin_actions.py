"""The admin's Reprocess action goes through the lecture page's own service."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from apps.lectures.models import Chunk, LecturePage
from tests.factories import LectureFactory, UserFactory, tiny_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _reprocess(client, *lectures):
    url = reverse("admin:lectures_lecture_changelist")
    return client.post(url, {"action": "reprocess", "_selected_action": [x.pk for x in lectures]}, follow=True)


def _ready_lecture(user, **extra):
    lecture = LectureFactory(owner=user, status="completed", page_count=1, **extra)
    lecture.file.save("notes.pdf", ContentFile(tiny_pdf()), save=True)
    LecturePage.objects.create(lecture=lecture, number=1, text="old text", method="text")
    Chunk.objects.create(owner=user, subject=lecture.subject, lecture=lecture, page=1, chunk_index=0, text="old")
    return lecture


def test_reprocess_queues_the_lecture_like_its_button(admin_client_, user, django_capture_on_commit_callbacks):
    from django_q.models import OrmQ

    lecture = _ready_lecture(user, metadata={"missing_files": {"page_images": 1, "found_at": "2026-01-01"}})
    with django_capture_on_commit_callbacks(execute=True):
        response = _reprocess(admin_client_, lecture)

    assert "1 lecture(s) queued for reprocessing." in response.content.decode()
    lecture.refresh_from_db()
    assert lecture.status == "pending" and lecture.task_id
    assert not LecturePage.objects.filter(lecture=lecture).exists()  # rebuilt from the original
    assert not Chunk.objects.filter(lecture=lecture).exists()
    assert "missing_files" not in lecture.metadata
    assert OrmQ.objects.count() == 1


def test_reprocess_leaves_busy_lectures_and_says_when_the_original_is_gone(admin_client_, user):
    busy = _ready_lecture(user)
    busy.status = "processing"
    busy.save()
    gone = LectureFactory(owner=user, status="completed", name="Lost slides")

    page = _reprocess(admin_client_, busy, gone).content.decode()

    assert "1 lecture(s) already waiting or processing; left as they are." in page
    assert "No original file to reprocess from: “Lost slides”." in page
    busy.refresh_from_db()
    gone.refresh_from_db()
    assert busy.status == "processing" and gone.status == "completed"


def test_reprocess_reports_the_owners_hourly_limit(admin_client_, user, settings):
    settings.LECTURE_REQUEUE_RATE_PER_HOUR = 1
    first, second = _ready_lecture(user), _ready_lecture(user)

    page = _reprocess(admin_client_, first, second).content.decode()

    assert "1 lecture(s) queued for reprocessing." in page
    assert "Not queued — " in page and "1 time per hour" in page
