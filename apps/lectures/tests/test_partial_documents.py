"""Partial documents end to end: a page over the pixel budget is read smaller, a page that cannot be read is
skipped, and the lecture is ready with "n of m pages read" instead of failing."""

import re
import time

import pytest
from django.urls import reverse

from apps.lectures import retrieval
from apps.lectures.models import Chunk, Lecture, LectureStatus
from apps.lectures.pipeline.tests.generated_pdfs import (
    SCAN_LINES,
    TEXT_PAGES,
    damaged_jpeg,
    single_image_pdf,
    six_page_pdf,
)
from apps.lectures.tests.helpers import ingest_now, upload_file
from tests.processes import running_worker

pytestmark = [pytest.mark.django_db(transaction=True, databases="__all__"), pytest.mark.slow]

DAMAGED_REASON = "its scanned image is damaged and could not be decoded."


def _visible_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _wait_until_done(deadline_s: float) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if not Lecture.objects.filter(status__in=["pending", "processing"]).exists():
            return
        time.sleep(1)


def test_scans_with_a_huge_page_complete_through_the_worker(user, subject, settings, tmp_path):
    settings.UPLOAD_RATE_PER_HOUR = 100
    six = upload_file(user, subject, six_page_pdf(tmp_path / "cells-scan.pdf"))
    single = upload_file(user, subject, single_image_pdf(tmp_path / "poster.pdf"))
    log = tmp_path / "worker.log"
    with running_worker(log, WORKER_PROCESSES="1"):
        _wait_until_done(600)

    six.refresh_from_db()
    assert six.status == LectureStatus.COMPLETED, (six.error_message, log.read_text()[-3000:])
    assert six.page_count == 6 and six.pages.count() == 6
    assert six.unreadable_pages == []  # page 2 was read, rendered within the pixel budget
    page2 = six.pages.get(number=2)
    assert page2.method == "ocr" and all(line in page2.text for line in SCAN_LINES), page2.text
    assert retrieval.search(user, "photosynthesis chloroplast", lecture_id=six.pk, mode="text")[0].page == 2
    for number, (title, _body) in TEXT_PAGES.items():
        hits = retrieval.search(user, title, lecture_id=six.pk, mode="text")
        assert hits and hits[0].page == number, (title, [(h.page, h.text[:40]) for h in hits])

    single.refresh_from_db()
    assert single.status == LectureStatus.COMPLETED, (single.error_message, log.read_text()[-3000:])
    assert single.page_count == 1 and "Photosynthesis" in single.pages.get().text


def test_a_page_that_cannot_be_read_is_skipped_and_said(user, subject, owner_client, tmp_path):
    path = six_page_pdf(tmp_path / "cells.pdf", scan_page=2, scan=damaged_jpeg(), side=2000)
    lecture = ingest_now(upload_file(user, subject, path))

    assert lecture.status == LectureStatus.COMPLETED, lecture.error_message
    assert lecture.page_count == 6 and lecture.pages.count() == 6 and lecture.pages_read == 5
    assert lecture.unreadable_pages == [{"page": 2, "code": "corrupt", "reason": DAMAGED_REASON}]
    assert sum(lecture.metadata["pages_by_method"].values()) == 5
    assert set(Chunk.objects.filter(lecture=lecture).values_list("page", flat=True)) == {1, 3, 4, 5, 6}
    assert retrieval.search(user, "ribosomes", lecture_id=lecture.pk, mode="text")[0].page == 4

    message = f"5 of 6 pages read — page 2 could not be read: {DAMAGED_REASON}"
    detail = owner_client.get(reverse("lectures:detail", args=[lecture.pk])).content.decode()
    assert message in _visible_text(detail)
    assert "badge-completed" in detail and "badge-failed" not in detail and 'role="alert"' not in detail
    assert f"This page could not be read: {DAMAGED_REASON}" in _visible_text(detail)  # in the page list

    status = owner_client.get(reverse("lectures:status", args=[lecture.pk])).content.decode()
    assert message in _visible_text(status)  # the live status fragment says it too

    page = owner_client.get(reverse("lectures:page", args=[lecture.pk, 2])).content.decode()
    assert f"This page could not be read: {DAMAGED_REASON}" in _visible_text(page)
    assert "Not read" in page

    listing = owner_client.get(reverse("subjects:detail", args=[subject.pk])).content.decode()
    assert message in _visible_text(listing)
    assert "badge-failed" not in listing
    subjects = owner_client.get(reverse("subjects:list")).content.decode()
    assert "Failed" not in _visible_text(subjects)
