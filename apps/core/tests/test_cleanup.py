"""The weekly clean-up on real files in a temporary MEDIA_ROOT (apps/core/cleanup.py)."""

import os
import time
import uuid
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_q.models import Failure, Schedule, Success, Task

from apps.core import cleanup
from apps.documents.models import GeneratedDocument
from apps.lectures.models import Figure, LecturePage
from tests.factories import LectureFactory

pytestmark = pytest.mark.django_db

TWO_DAYS = 2 * 86400


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CLEANUP_GRACE_HOURS = 24
    settings.TASK_FAILURES_KEEP_DAYS = 30
    return settings.MEDIA_ROOT


def put(media: Path, name: str, data: bytes = b"x" * 100, *, age_s: float = TWO_DAYS) -> str:
    path = media / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    stamp = time.time() - age_s
    os.utime(path, (stamp, stamp))
    return name


def age_dirs(media: Path, age_s: float = TWO_DAYS) -> None:
    stamp = time.time() - age_s
    for dirpath, _dirs, _files in os.walk(media):
        os.utime(dirpath, (stamp, stamp))


@pytest.fixture
def library(media, user):
    """A completed lecture with its original, one page image, one figure and a document, all on disk."""
    lecture = LectureFactory(owner=user, status="completed", page_count=1)
    base = f"uploads/{user.pk}/{lecture.pk}"
    lecture.file.name = put(media, f"{base}/notes.pdf")
    put(media, f"{base}/decrypted.pdf")  # the working copy of an encrypted PDF (services.unlock_with_password)
    lecture.metadata = {"working_copy": "decrypted.pdf"}
    lecture.save()
    page = LecturePage.objects.create(
        lecture=lecture, number=1, text="t", method="text", thumbnail=put(media, f"{base}/pages/page_001.png")
    )
    figure = Figure.objects.create(
        lecture=lecture, page=1, index=1, image=put(media, f"{base}/figures/slide_01_fig_01.png")
    )
    document = GeneratedDocument.objects.create(
        owner=user,
        subject=lecture.subject,
        lecture=lecture,
        doc_type="cheat_sheet",
        format="docx",
        status="completed",
        file=put(media, f"{base}/documents/sheet.docx"),
        file_size=100,
        content={"title": "kept"},
    )
    return {"lecture": lecture, "page": page, "figure": figure, "document": document, "base": base}


def test_orphaned_files_are_removed_and_referenced_files_kept(media, library, user):
    base = library["base"]
    orphans = [
        put(media, f"{base}/pages/page_001_AbC12.png", b"y" * 300),  # left by an earlier ingestion run
        put(media, f"uploads/{user.pk}/999999/deleted.pdf", b"z" * 500),  # a lecture whose row is gone
        put(media, "tmp/upload-k3j2.pdf"),  # an upload that died between the temp copy and its row
    ]
    age_dirs(media)

    report = cleanup.run()

    assert sorted(path for path, _ in report.orphans) == sorted(orphans)
    assert report.orphan_bytes == 300 + 500 + 100
    for name in orphans:
        assert not (media / name).exists()
    for name in (
        "notes.pdf",
        "decrypted.pdf",
        "pages/page_001.png",
        "figures/slide_01_fig_01.png",
        "documents/sheet.docx",
    ):
        assert (media / base / name).exists()
    assert f"uploads/{user.pk}/999999" in report.empty_dirs
    assert not (media / f"uploads/{user.pk}/999999").exists()
    assert report.missing == []


def test_a_young_unreferenced_file_is_kept(media, library):
    young = put(media, "tmp/upload-in-progress.pdf", age_s=60)
    young_figure = put(media, f"{library['base']}/figures/slide_02_fig_01.png", age_s=3600)

    report = cleanup.run()

    assert report.orphans == []
    assert report.young_kept == 2
    assert (media / young).exists() and (media / young_figure).exists()


def test_rows_whose_file_is_gone_are_reported_and_repaired(media, library, owner_client):
    base = library["base"]
    for name in ("notes.pdf", "pages/page_001.png", "figures/slide_01_fig_01.png", "documents/sheet.docx"):
        (media / base / name).unlink()

    report = cleanup.run()

    kinds = sorted((m.kind, m.pk) for m in report.missing)
    lecture, page, figure, document = (library[k] for k in ("lecture", "page", "figure", "document"))
    assert kinds == sorted(
        [("lecture", lecture.pk), ("page image", page.pk), ("figure", figure.pk), ("document", document.pk)]
    )
    lecture.refresh_from_db()
    assert not lecture.file
    assert lecture.status == "completed"  # the pages and passages still answer questions
    assert lecture.metadata["missing_files"]["original"] == 1
    assert lecture.metadata["missing_files"]["page_images"] == 1
    assert lecture.metadata["missing_files"]["figures"] == 1
    page.refresh_from_db()
    assert not page.thumbnail
    assert not Figure.objects.filter(pk=figure.pk).exists()
    document.refresh_from_db()
    assert not document.file and document.file_size == 0
    assert document.content == {"title": "kept"}
    assert "missing_files" in document.metadata
    # The student gets clean 404s instead of server errors for the files that are gone.
    assert owner_client.get(reverse("lectures:file", args=[lecture.pk])).status_code == 404
    assert owner_client.get(reverse("lectures:thumbnail", args=[lecture.pk, 1])).status_code == 404
    assert owner_client.get(reverse("documents:download", args=[document.pk])).status_code == 404
    # A second run finds nothing new.
    assert cleanup.run().missing == []


def test_a_missing_working_copy_is_dropped_so_the_pdf_asks_for_its_password_again(media, library):
    (media / library["base"] / "decrypted.pdf").unlink()

    report = cleanup.run()

    assert [(m.kind, m.path) for m in report.missing] == [("working copy", f"{library['base']}/decrypted.pdf")]
    lecture = library["lecture"]
    lecture.refresh_from_db()
    assert "working_copy" not in lecture.metadata
    assert lecture.file  # the original is still there
    assert lecture.metadata["missing_files"]["working_copy"] == 1


def test_a_lecture_being_processed_is_left_alone(media, library):
    lecture = library["lecture"]
    lecture.status = "processing"
    lecture.save()
    (media / library["base"] / "pages/page_001.png").unlink()
    (media / library["base"] / "notes.pdf").unlink()

    report = cleanup.run()

    assert report.missing == []
    library["page"].refresh_from_db()
    assert library["page"].thumbnail


def test_dry_run_changes_nothing(media, library):
    orphan = put(media, "tmp/upload-old.pdf")
    (media / library["base"] / "documents/sheet.docx").unlink()
    old_failure = _task(success=False, days_ago=60)
    before = sorted(p.relative_to(media).as_posix() for p in media.rglob("*"))

    report = cleanup.run(dry_run=True)

    assert report.dry_run
    assert [path for path, _ in report.orphans] == [orphan]
    assert [m.kind for m in report.missing] == ["document"]
    assert report.failures_pruned == 1
    assert sorted(p.relative_to(media).as_posix() for p in media.rglob("*")) == before
    library["document"].refresh_from_db()
    assert library["document"].file
    assert Failure.objects.filter(pk=old_failure.pk).exists()


def _task(*, success: bool, days_ago: float) -> Task:
    stopped = timezone.now() - timedelta(days=days_ago)
    return Task.objects.create(
        id=uuid.uuid4().hex,
        name=f"task-{uuid.uuid4().hex[:8]}",
        func="apps.core.tasks.ping_user",
        started=stopped - timedelta(seconds=1),
        stopped=stopped,
        success=success,
        result="Traceback (most recent call last):\nValueError: boom" if not success else "ok",
    )


def test_old_failed_tasks_are_pruned(media):
    old, recent = _task(success=False, days_ago=31), _task(success=False, days_ago=29)
    old_success = _task(success=True, days_ago=60)

    report = cleanup.run()

    assert report.failures_pruned == 1
    assert not Failure.objects.filter(pk=old.pk).exists()
    assert Failure.objects.filter(pk=recent.pk).exists()
    assert Success.objects.filter(pk=old_success.pk).exists()


def test_command_prints_the_report(media, library):
    orphan = put(media, "tmp/upload-old.pdf")
    out = StringIO()

    call_command("cleanup_orphans", "--dry-run", stdout=out)

    text = out.getvalue()
    assert "Dry run: nothing was changed." in text
    assert "Orphaned files: 1 (100 B) would remove" in text
    assert orphan in text
    assert (media / orphan).exists()

    call_command("cleanup_orphans", stdout=StringIO())
    assert not (media / orphan).exists()


def test_the_weekly_schedule_exists_after_migrate():
    schedule = Schedule.objects.get(name="clean-up-storage")
    assert schedule.func == "apps.core.tasks.clean_up_storage"
    assert schedule.schedule_type == Schedule.WEEKLY


def test_the_scheduled_task_runs_the_clean_up(media):
    from apps.core.tasks import clean_up_storage

    put(media, "tmp/upload-old.pdf")
    assert clean_up_storage()["orphans"] == 1
    assert not (media / "tmp/upload-old.pdf").exists()


def test_a_lecture_whose_original_is_gone_keeps_its_pages_when_reprocess_is_pressed(media, library, owner_client):
    (media / library["base"] / "notes.pdf").unlink()
    cleanup.run()
    lecture = library["lecture"]

    response = owner_client.post(reverse("lectures:reprocess", args=[lecture.pk]), follow=True)

    assert "is no longer on the server" in response.content.decode()
    lecture.refresh_from_db()
    assert lecture.status == "completed"
    assert LecturePage.objects.filter(lecture=lecture).exists()
