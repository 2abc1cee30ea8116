"""Ingest real third-party documents end to end (extraction → chunks → embeddings in pgvector)."""

import pytest

from apps.lectures import retrieval
from apps.lectures.models import Chunk, LectureStatus
from apps.lectures.tests.helpers import ingest_now, upload_file

pytestmark = [pytest.mark.django_db(transaction=True, databases="__all__"), pytest.mark.slow]


DECKS = [
    # file, pages, a phrase on a known page, the language its text is indexed in (text_language.py)
    ("lectures/py4e_Pythonlearn-02-Expressions.pdf", 35, "operator precedence", "english"),
    ("lectures/py4e_Pythonlearn-02-Expressions.pptx", 34, "operator precedence", "english"),
    ("lectures/scicomp_lectures_tut_2018_5.pdf", 24, "numpy", "english"),
    ("lectures/grobol_xml-slides.pdf", 10, "xml", "french"),
]


@pytest.mark.parametrize(("relative", "pages", "phrase", "language"), DECKS, ids=[d[0].split("/")[1] for d in DECKS])
def test_a_deck_is_ingested_and_searchable(fixtures_dir, user, subject, relative, pages, phrase, language):
    lecture = ingest_now(upload_file(user, subject, fixtures_dir / relative))
    assert lecture.status == LectureStatus.COMPLETED, lecture.error_message
    assert lecture.page_count == pages
    assert lecture.pages.count() == pages
    assert lecture.processing_time is not None and lecture.processed_at is not None
    assert sum(lecture.metadata["pages_by_method"].values()) == pages
    chunks = Chunk.objects.filter(lecture=lecture)
    assert chunks.exists()
    assert not chunks.filter(embedding__isnull=True).exists()
    assert set(chunks.values_list("page", flat=True)) <= set(range(1, pages + 1))
    assert lecture.language == language
    assert set(chunks.values_list("language", flat=True)) == {language}
    # the count the vector plan reads (retrieval.scope_facts) is stored with the chunks
    assert retrieval.scope_facts(user.pk, lecture_id=lecture.pk).chunks == lecture.metadata["chunks"] == chunks.count()
    text_hits = retrieval.search(user, phrase, lecture_id=lecture.pk, mode="text")
    vector_hits = retrieval.search(user, phrase, lecture_id=lecture.pk, mode="vector")
    assert text_hits and phrase.split()[0].lower() in text_hits[0].text.lower()
    assert vector_hits


def test_text_layer_pages_use_the_text_layer(fixtures_dir, user, subject):
    lecture = ingest_now(upload_file(user, subject, fixtures_dir / "lectures/py4e_Pythonlearn-02-Expressions.pdf"))
    assert lecture.metadata["pages_by_method"] == {"text": 35}
    assert lecture.pages.exclude(thumbnail="").count() == 35


def test_pptx_keeps_speaker_notes_apart(fixtures_dir, user, subject):
    lecture = ingest_now(upload_file(user, subject, fixtures_dir / "lectures/py4e_Pythonlearn-02-Expressions.pptx"))
    assert lecture.metadata["pages_by_method"] == {"native": 34}
    assert lecture.pages.exclude(notes="").exists()


def test_markdown_source_is_ingested(fixtures_dir, user, subject):
    lecture = ingest_now(upload_file(user, subject, fixtures_dir / "lectures/grobol_xml-slides.qmd"))
    assert lecture.status == LectureStatus.COMPLETED, lecture.error_message
    assert lecture.file_type == "markdown"
    assert lecture.page_count > 1
    assert lecture.language == "french"


def test_a_scan_is_read_with_ocr(fixtures_dir, user, subject):
    from apps.lectures.pipeline.metrics import cer

    lecture = ingest_now(upload_file(user, subject, fixtures_dir / "scans/tess_phototest.tif"))
    assert lecture.status == LectureStatus.COMPLETED, lecture.error_message
    page = lecture.pages.get()
    assert page.method == "ocr" and page.confidence > 50
    truth = (fixtures_dir / "scans/tess_phototest.txt").read_text()
    assert cer(page.text, truth) <= 0.03


def test_chunks_of_one_user_are_invisible_to_another(fixtures_dir, user, other_user, subject):
    lecture = ingest_now(upload_file(user, subject, fixtures_dir / "lectures/grobol_xml-slides.pdf"))
    assert retrieval.search(user, "xml", lecture_id=lecture.pk)
    assert retrieval.search(other_user, "xml", lecture_id=lecture.pk) == []
    assert retrieval.search(other_user, "xml", subject_id=subject.pk) == []


def test_a_run_that_was_superseded_does_nothing(fixtures_dir, user, subject):
    from apps.lectures import ingest

    lecture = upload_file(user, subject, fixtures_dir / "lectures/grobol_xml-slides.pdf")
    assert ingest.run(lecture.pk, "not-the-current-token") == "superseded"
    lecture.refresh_from_db()
    assert lecture.status == LectureStatus.PENDING


def test_reprocess_rebuilds_the_same_result(fixtures_dir, user, subject):
    from apps.lectures import services

    lecture = ingest_now(upload_file(user, subject, fixtures_dir / "lectures/grobol_xml-slides.pdf"))
    before = Chunk.objects.filter(lecture=lecture).count()
    services.reprocess_lecture(actor=user, lecture=lecture)
    lecture = ingest_now(lecture)
    assert lecture.status == LectureStatus.COMPLETED
    assert Chunk.objects.filter(lecture=lecture).count() == before
