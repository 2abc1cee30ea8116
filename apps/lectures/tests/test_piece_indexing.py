"""The pieces of a lecture's chunks are a follow-up job (piece_indexing.py): the lecture is ready and searchable
without them, the job queued on completion stores them, and a superseded run, a deleted lecture or a second
delivery never leaves stale or duplicate pieces."""

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from apps.lectures import piece_indexing, retrieval, services, tasks
from apps.lectures.models import Chunk, ChunkPiece, Lecture, LectureStatus
from apps.lectures.pipeline.pieces import piece_texts
from apps.lectures.tests.helpers import ingest_now, queued_piece_indexing, run_queued_piece_indexing, upload_file
from smartnotes import ai
from tests.processes import running_worker, wait_for

# Ingestion runs its extraction in a child process with its own connection: the rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

NOTES = """# Reserved Words

You cannot use reserved words as variable names.

False await else import pass

# Operators

Python has an operator for each arithmetic operation.

The ** operator raises a number to a power.

The % operator gives the remainder of a division.
"""


@pytest.fixture
def notes(tmp_path):
    path = tmp_path / "words.md"
    path.write_text(NOTES, encoding="utf-8")
    return path


def expected_pieces(lecture) -> dict[int, list[str]]:
    return {c.pk: piece_texts(c.title, c.text) for c in Chunk.objects.filter(lecture=lecture)}


def assert_pieces_are_exactly(lecture, expected: dict[int, list[str]]) -> None:
    assert sum(map(len, expected.values())) >= 4
    for chunk_id, texts in expected.items():
        stored = np.array([p.embedding for p in ChunkPiece.objects.filter(chunk_id=chunk_id).order_by("pk")])
        assert len(stored) == len(texts)
        if texts:
            assert np.allclose(stored, ai.embed_texts(texts), atol=1e-5)
    assert ChunkPiece.objects.filter(chunk__lecture=lecture).count() == sum(map(len, expected.values()))


def test_the_lecture_is_ready_and_searchable_before_its_pieces_which_the_queued_job_then_stores(
    user, subject, notes, monkeypatch
):
    import django_q.tasks

    from apps.lectures import progress

    events = []
    monkeypatch.setattr(progress, "push_to_user", lambda _user, _event, data, **kw: events.append(data["status"]))
    queue = django_q.tasks.async_task
    monkeypatch.setattr(django_q.tasks, "async_task", lambda *a, **kw: events.append(kw["group"]) or queue(*a, **kw))

    lecture = ingest_now(upload_file(user, subject, notes), follow_up=False)

    assert lecture.status == LectureStatus.COMPLETED and lecture.progress_percent == 100
    assert events[-2:] == ["completed", piece_indexing.KIND]  # "ready" reaches the pages first
    assert not ChunkPiece.objects.filter(chunk__lecture=lecture).exists()
    assert retrieval.search(user, "remainder of a division", lecture_id=lecture.pk, mode="vector")
    assert retrieval.search(user, "remainder", lecture_id=lecture.pk, mode="text")
    hits = retrieval.search(user, "which words cannot be variable names?", lecture_id=lecture.pk)
    assert hits and "reserved" in hits[0].text.lower()
    [queued] = queued_piece_indexing(lecture.pk)
    assert queued.args() == (lecture.pk, lecture.task_id)

    assert run_queued_piece_indexing(lecture.pk) == ["completed"]

    assert_pieces_are_exactly(lecture, expected_pieces(lecture))
    lecture.refresh_from_db()
    assert lecture.status == LectureStatus.COMPLETED and lecture.progress_percent == 100
    assert retrieval.search(user, "which words cannot be variable names?", lecture_id=lecture.pk)


def test_a_second_delivery_replaces_the_pieces_instead_of_adding_to_them(user, subject, notes):
    lecture = ingest_now(upload_file(user, subject, notes))
    expected = expected_pieces(lecture)
    assert_pieces_are_exactly(lecture, expected)

    assert tasks.index_lecture_pieces(lecture.pk, lecture.task_id) == "completed"

    assert_pieces_are_exactly(lecture, expected)


def test_the_pieces_job_of_a_superseded_run_stores_nothing_and_the_new_run_its_own(user, subject, notes):
    lecture = ingest_now(upload_file(user, subject, notes), follow_up=False)
    old_token = lecture.task_id
    services.reprocess_lecture(actor=user, lecture=lecture)
    lecture.refresh_from_db()
    assert lecture.task_id != old_token

    assert tasks.index_lecture_pieces(lecture.pk, old_token) == "superseded"  # queued, reprocess meanwhile
    assert not ChunkPiece.objects.exists()

    lecture = ingest_now(lecture, follow_up=False)
    assert tasks.index_lecture_pieces(lecture.pk, old_token) == "superseded"  # delivered after the new run
    assert not ChunkPiece.objects.exists()
    assert run_queued_piece_indexing(lecture.pk) == ["superseded", "completed"]  # the old one, then the new one
    assert_pieces_are_exactly(lecture, expected_pieces(lecture))


def test_a_lecture_deleted_while_its_pieces_are_queued_or_being_embedded_is_no_error(user, subject, notes, monkeypatch):
    queued = ingest_now(upload_file(user, subject, notes, name="queued.md"), follow_up=False)
    queued_id = queued.pk
    services.delete_lecture(actor=user, lecture=queued)
    assert run_queued_piece_indexing(queued_id) == ["superseded"]

    embedding = ingest_now(upload_file(user, subject, notes, name="embedding.md"), follow_up=False)
    original = piece_indexing.piece_vectors

    def deleted_meanwhile(chunks):
        vectors = original(chunks)
        Lecture.objects.filter(pk=embedding.pk).delete()
        return vectors

    monkeypatch.setattr(piece_indexing, "piece_vectors", deleted_meanwhile)
    assert run_queued_piece_indexing(embedding.pk) == ["superseded"]
    assert not ChunkPiece.objects.exists()


def test_chunks_gone_while_the_pieces_are_embedded_leave_no_orphan(user, subject, notes, monkeypatch):
    lecture = ingest_now(upload_file(user, subject, notes), follow_up=False)
    first, second = Chunk.objects.filter(lecture=lecture).order_by("chunk_index")
    original = piece_indexing.piece_vectors

    def one_chunk_deleted_meanwhile(chunks):
        vectors = original(chunks)
        first.delete()
        return vectors

    monkeypatch.setattr(piece_indexing, "piece_vectors", one_chunk_deleted_meanwhile)
    assert run_queued_piece_indexing(lecture.pk) == ["completed"]
    assert ChunkPiece.objects.count() == len(piece_texts(second.title, second.text)) > 0
    assert not ChunkPiece.objects.exclude(chunk=second).exists()

    def memory_cleared_meanwhile(chunks):
        vectors = original(chunks)
        services.clear_memory(actor=user, lecture=lecture)
        return vectors

    monkeypatch.setattr(piece_indexing, "piece_vectors", memory_cleared_meanwhile)
    assert tasks.index_lecture_pieces(lecture.pk, lecture.task_id) == "superseded"  # no chunk vectors left
    assert not ChunkPiece.objects.exists()


def test_pieces_are_not_stored_beside_chunks_of_another_embedding_model(user, subject, notes):
    lecture = ingest_now(upload_file(user, subject, notes), follow_up=False)
    Lecture.objects.filter(pk=lecture.pk).update(embedding_model="openai:some-other-model")

    assert run_queued_piece_indexing(lecture.pk) == ["superseded"]
    assert not ChunkPiece.objects.exists()


def test_reindex_builds_the_pieces_of_a_lecture_whose_job_is_still_queued_without_duplicates(user, subject, notes):
    lecture = ingest_now(upload_file(user, subject, notes), follow_up=False)
    expected = expected_pieces(lecture)

    call_command("reindex_lectures")
    assert_pieces_are_exactly(lecture, expected)

    assert run_queued_piece_indexing(lecture.pk) == ["completed"]
    assert_pieces_are_exactly(lecture, expected)


def test_an_exam_queues_no_pieces_job(user, subject, notes):
    upload = SimpleUploadedFile("exam.md", notes.read_bytes())
    exam = ingest_now(services.upload_lecture(actor=user, subject=subject, uploaded_file=upload, role="exam"))
    assert exam.status == LectureStatus.COMPLETED
    assert queued_piece_indexing(exam.pk) == []


@pytest.mark.slow
def test_a_worker_makes_the_lecture_ready_then_stores_its_pieces(user, subject, notes, tmp_path):
    from django_q.models import Task

    lecture = upload_file(user, subject, notes)
    log = tmp_path / "worker.log"

    def done() -> bool:
        row = Lecture.objects.get(pk=lecture.pk)
        return row.status == LectureStatus.FAILED or Task.objects.filter(group=piece_indexing.KIND).exists()

    with running_worker(log, WORKER_PROCESSES="1"):
        wait_for(done, 180, "the ingestion and its pieces job")

    lecture.refresh_from_db()
    assert lecture.status == LectureStatus.COMPLETED, log.read_text()[-3000:]
    [task] = Task.objects.filter(group=piece_indexing.KIND)
    assert task.success and task.result == "completed", log.read_text()[-3000:]
    assert task.args == (lecture.pk, lecture.task_id)
    assert_pieces_are_exactly(lecture, expected_pieces(lecture))
