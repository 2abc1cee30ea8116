import pytest
from django.urls import reverse

from apps.lectures.models import Lecture, LecturePage, LectureStatus
from tests.factories import SubjectFactory, completed_lecture_with_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture(user, subject, settings):
    return completed_lecture_with_files(user, subject)


def _urls(lecture):
    return {
        "detail": ("get", reverse("lectures:detail", args=[lecture.pk])),
        "status": ("get", reverse("lectures:status", args=[lecture.pk])),
        "file": ("get", reverse("lectures:file", args=[lecture.pk])),
        "page": ("get", reverse("lectures:page", args=[lecture.pk, 1])),
        "thumbnail": ("get", reverse("lectures:thumbnail", args=[lecture.pk, 1])),
        "figure": ("get", reverse("lectures:figure", args=[lecture.pk, lecture.figure_pk])),
        "delete": ("get", reverse("lectures:delete", args=[lecture.pk])),
        "retry": ("post", reverse("lectures:retry", args=[lecture.pk])),
        "reprocess": ("post", reverse("lectures:reprocess", args=[lecture.pk])),
        "clear": ("post", reverse("lectures:clear", args=[lecture.pk])),
        "password": ("post", reverse("lectures:password", args=[lecture.pk])),
        "upload": ("post", reverse("lectures:upload", args=[lecture.subject_id])),
    }


VIEWS = [
    "detail",
    "status",
    "file",
    "page",
    "thumbnail",
    "figure",
    "delete",
    "retry",
    "reprocess",
    "clear",
    "password",
    "upload",
]
READS = ["detail", "status", "file", "page", "thumbnail", "figure", "delete"]


@pytest.mark.parametrize("view", READS)
def test_owner_can_open(owner_client, lecture, view):
    method, url = _urls(lecture)[view]
    response = getattr(owner_client, method)(url)
    assert response.status_code == 200


@pytest.mark.parametrize("view", VIEWS)
def test_another_user_gets_404(other_client, lecture, view):
    method, url = _urls(lecture)[view]
    response = getattr(other_client, method)(url, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 404
    lecture.refresh_from_db()
    assert lecture.status == LectureStatus.COMPLETED


@pytest.mark.parametrize("view", VIEWS)
def test_anonymous_is_sent_to_log_in(anon_client, lecture, view):
    method, url = _urls(lecture)[view]
    response = getattr(anon_client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_file_download_is_the_original(owner_client, lecture):
    response = owner_client.get(reverse("lectures:file", args=[lecture.pk]))
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert "attachment" in response["Content-Disposition"]


def test_files_have_no_public_url(lecture):
    with pytest.raises(ValueError):
        lecture.file.url  # noqa: B018


def test_detail_shows_pages_and_figures(owner_client, lecture):
    html = owner_client.get(reverse("lectures:detail", args=[lecture.pk])).content.decode()
    assert "Variables hold values" in html
    assert "slide_01_fig_01" in html


def test_subject_page_lists_its_lectures(owner_client, lecture):
    html = owner_client.get(reverse("subjects:detail", args=[lecture.subject_id])).content.decode()
    assert "Week 1" in html
    assert f'id="lecture-{lecture.pk}-status"' in html


def test_failed_lecture_offers_retry(owner_client, lecture):
    Lecture.objects.filter(pk=lecture.pk).update(
        status=LectureStatus.FAILED, error_code="corrupt", error_message="Damaged file."
    )
    html = owner_client.get(reverse("lectures:detail", args=[lecture.pk])).content.decode()
    assert "Damaged file." in html and "Retry" in html


def test_encrypted_lecture_asks_for_the_password(owner_client, lecture):
    Lecture.objects.filter(pk=lecture.pk).update(
        status=LectureStatus.FAILED, error_code="encrypted", error_message="Locked."
    )
    html = owner_client.get(reverse("lectures:detail", args=[lecture.pk])).content.decode()
    assert 'name="password"' in html


def test_retry_queues_a_failed_lecture(owner_client, lecture, django_capture_on_commit_callbacks):
    from django_q.models import OrmQ

    Lecture.objects.filter(pk=lecture.pk).update(status=LectureStatus.FAILED, error_code="internal", attempts=3)
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("lectures:retry", args=[lecture.pk]))
    lecture.refresh_from_db()
    assert lecture.status == LectureStatus.PENDING
    assert lecture.attempts == 0
    assert OrmQ.objects.count() == 1


def test_clear_memory_keeps_file_and_pages(owner_client, lecture):
    from apps.lectures.models import Chunk

    Chunk.objects.create(owner=lecture.owner, subject=lecture.subject, lecture=lecture, page=1, chunk_index=0, text="x")
    owner_client.post(reverse("lectures:clear", args=[lecture.pk]))
    assert not Chunk.objects.filter(lecture=lecture).exists()
    assert LecturePage.objects.filter(lecture=lecture).exists()
    lecture.refresh_from_db()
    assert lecture.file.storage.exists(lecture.file.name)


def test_delete_removes_row_and_folder(owner_client, lecture, django_capture_on_commit_callbacks):
    from pathlib import Path

    folder = Path(lecture.file.path).parent
    assert folder.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("lectures:delete", args=[lecture.pk]))
    assert response.status_code == 302
    assert not Lecture.objects.filter(pk=lecture.pk).exists()
    assert not folder.exists()


def test_another_users_subject_cannot_receive_uploads(other_client, subject):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = other_client.post(
        reverse("lectures:upload", args=[subject.pk]),
        {"file": SimpleUploadedFile("a.txt", b"hello")},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.status_code == 404
    assert not Lecture.objects.exists()


def test_lists_are_scoped(owner_client, other_user, lecture):
    other_subject = SubjectFactory(user=other_user)
    Lecture.objects.create(
        owner=other_user, subject=other_subject, name="Secret lecture", original_filename="s.pdf", file_type="pdf"
    )
    html = owner_client.get(reverse("subjects:detail", args=[lecture.subject_id])).content.decode()
    assert "Secret lecture" not in html
