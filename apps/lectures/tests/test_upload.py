import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.lectures.models import Lecture

pytestmark = pytest.mark.django_db
XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def _post(client, subject, name, data):
    return client.post(reverse("lectures:upload", args=[subject.pk]), {"file": SimpleUploadedFile(name, data)}, **XHR)


def _uploads_dir(settings, user):
    return settings.MEDIA_ROOT / "uploads" / str(user.pk)


def _leftovers(settings, user):
    files = list(_uploads_dir(settings, user).rglob("*")) if _uploads_dir(settings, user).exists() else []
    tmp = list((settings.MEDIA_ROOT / "tmp").glob("*")) if (settings.MEDIA_ROOT / "tmp").exists() else []
    return [f for f in files if f.is_file()] + tmp


def test_a_markdown_file_is_accepted_and_queued(
    owner_client, subject, user, settings, django_capture_on_commit_callbacks
):
    from django_q.models import OrmQ

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(owner_client, subject, "../../etc/Week 1: intro?.md", b"# Intro\n\nHello there, students.\n")
    assert response.status_code == 201
    lecture = Lecture.objects.get(owner=user)
    assert lecture.file_type == "markdown"
    assert lecture.original_filename == "Week 1 intro.md"
    assert lecture.file.name == f"uploads/{user.pk}/{lecture.pk}/Week 1 intro.md"
    assert (settings.MEDIA_ROOT / lecture.file.name).read_bytes().startswith(b"# Intro")
    assert len(lecture.sha256) == 64 and lecture.file_size == len(b"# Intro\n\nHello there, students.\n")
    assert OrmQ.objects.count() == 1
    assert lecture.task_id
    assert f'id="lecture-{lecture.pk}"' in response.content.decode()


def test_a_wrong_type_is_rejected_leaving_nothing(owner_client, subject, user, settings):
    response = _post(owner_client, subject, "slides.pdf", b"MZ\x90\x00\x03" + bytes(range(256)) * 20)
    assert response.status_code == 400
    assert "not a file type we can read" in response.json()["error"]
    assert not Lecture.objects.exists()
    assert _leftovers(settings, user) == []


def test_an_executable_renamed_to_pdf_is_judged_by_content(owner_client, subject):
    response = _post(owner_client, subject, "notes.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 500)
    assert response.status_code == 400


def test_an_empty_file_is_rejected(owner_client, subject):
    response = _post(owner_client, subject, "empty.txt", b"")
    assert response.status_code == 400
    assert "empty" in response.json()["error"]


def test_a_file_over_the_size_limit_is_rejected(owner_client, subject, user, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    response = _post(owner_client, subject, "big.txt", b"a" * 2048)
    assert response.status_code == 400
    assert "limit is 1.0 KiB" in response.json()["error"]
    assert not Lecture.objects.exists()
    assert _leftovers(settings, user) == []


def test_the_hourly_upload_limit_answers_429(owner_client, subject, user, settings):
    settings.UPLOAD_RATE_PER_HOUR = 2
    for i in range(2):
        assert _post(owner_client, subject, f"n{i}.txt", b"some notes here").status_code == 201
    response = _post(owner_client, subject, "n3.txt", b"some notes here")
    assert response.status_code == 429
    assert "2 files per hour" in response.json()["error"]
    assert Lecture.objects.filter(owner=user).count() == 2
    assert len([f for f in _leftovers(settings, user)]) == 2


def test_upload_without_javascript_redirects_with_messages(owner_client, subject, user):
    response = owner_client.post(
        reverse("lectures:upload", args=[subject.pk]),
        {"file": [SimpleUploadedFile("a.txt", b"alpha notes"), SimpleUploadedFile("b.exe", b"MZ\x90\x00" * 50)]},
    )
    assert response.status_code == 302
    assert Lecture.objects.filter(owner=user).count() == 1


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("lecture.PDF", "lecture.pdf"),
        ("a/b\\c.pdf", "c.pdf"),
        ("  .hidden.pdf", "hidden.pdf"),
        ("<script>.pdf", "script.pdf"),
        ("x.exe", "x.pdf"),
    ],
)
def test_file_names_are_sanitised(name, expected):
    from apps.lectures.validation import sanitise_filename

    assert sanitise_filename(name, "pdf") == expected
