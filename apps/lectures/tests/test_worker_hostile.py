"""Hostile files through a real worker cluster: each fails cleanly with a specific reason (or completes when
it is in fact readable), within its time limit, and the worker goes on to the next lecture."""

import time

import pytest

from apps.lectures.models import Lecture, LectureStatus
from apps.lectures.tests.helpers import upload_file
from tests.processes import running_worker

pytestmark = [pytest.mark.django_db(transaction=True, databases="__all__"), pytest.mark.slow]

EXPECTED = {
    "ocrmypdf_encrypted_algo4.pdf": ("completed", ""),  # owner password only: opens without one
    "ocrmypdf_hugemono.pdf": ("failed", "image_too_large"),
    "ocrmypdf_invalid.pdf": ("failed", "corrupt"),
    "ocrmypdf_skew-encrypted.pdf": ("failed", "encrypted"),
    "ocrmypdf_type3_font_nomapping.pdf": ("completed", ""),  # garbage text layer → OCR
    "pdfjs_Pages-tree-refs.pdf": ("completed", ""),  # a loop in the page tree; its one page is readable
    "pdfjs_bomb_giant.pdf": ("completed", ""),  # the JBIG2 bombs are skipped, the text layer is kept
    "pdfjs_bug1250079.pdf": ("failed", "corrupt"),
    "pdfjs_poppler-937-0-fuzzed.pdf": ("failed", "corrupt"),
    "pythonpptx_missing_rels_item.pptx": ("completed", ""),
}
TIME_LIMIT_S = 60


def test_hostile_files_fail_cleanly_and_the_worker_goes_on(fixtures_dir, user, subject, settings, tmp_path):
    settings.UPLOAD_RATE_PER_HOUR = 100
    lectures = {}
    for path in sorted((fixtures_dir / "hostile").iterdir()):
        try:
            lectures[path.name] = upload_file(user, subject, path)
        except Exception as exc:  # a file refused at upload would also be a clean outcome
            lectures[path.name] = exc
    good = upload_file(user, subject, fixtures_dir / "lectures/grobol_xml-slides.pdf")

    log = tmp_path / "worker.log"
    with running_worker(log, INGEST_TOTAL_TIMEOUT=str(TIME_LIMIT_S), INGEST_MEMORY_MB="1024", WORKER_PROCESSES="1"):
        deadline = time.monotonic() + TIME_LIMIT_S * len(lectures) + 120
        while time.monotonic() < deadline:
            if not Lecture.objects.filter(status__in=["pending", "processing"]).exists():
                break
            time.sleep(1)

    outcomes = {}
    for name, lecture in lectures.items():
        lecture.refresh_from_db()
        outcomes[name] = (lecture.status, lecture.error_code)
        if lecture.status == LectureStatus.FAILED:
            assert lecture.error_message and "Traceback" not in lecture.error_message
            assert lecture.processing_started_at and lecture.processed_at
            assert (lecture.processed_at - lecture.processing_started_at).total_seconds() < TIME_LIMIT_S + 35
    assert outcomes == EXPECTED, (outcomes, log.read_text()[-3000:])
    good.refresh_from_db()
    assert good.status == LectureStatus.COMPLETED, log.read_text()[-4000:]
