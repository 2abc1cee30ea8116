"""Chunk pieces (pipeline/pieces.py): stored at ingestion, rebuilt on re-embedding and by reindex_lectures, and
scored by search through the closest piece of each candidate."""

import numpy as np
import pytest
from django.core.management import call_command

from apps.lectures import ranking, retrieval, services
from apps.lectures.models import Chunk, ChunkPiece, LectureStatus
from apps.lectures.pipeline.context import embedding_text
from apps.lectures.pipeline.pieces import piece_texts
from apps.lectures.tests.helpers import ingest_now, make_chunk, upload_file
from tests.factories import LectureFactory

pytestmark = pytest.mark.django_db

SLIDE = "Reserved Words\nYou cannot use reserved words as variable names.\nFalse await else import pass"


def unit(*components: float) -> np.ndarray:
    vector = np.zeros(384, dtype=np.float32)
    vector[: len(components)] = components
    return vector / np.linalg.norm(vector)


def test_candidate_distances_give_the_chunk_and_its_closest_piece_for_the_owner_only():
    lecture = LectureFactory(status=LectureStatus.COMPLETED)
    with_pieces, plain = make_chunk(lecture, 0, unit(1, 1)), make_chunk(lecture, 1, unit(0, 1))
    ChunkPiece.objects.create(chunk=with_pieces, embedding=unit(1, 0.1))
    ChunkPiece.objects.create(chunk=with_pieces, embedding=unit(0, 1))
    query = unit(1)

    found = retrieval.candidate_distances(lecture.owner_id, [with_pieces.pk, plain.pk], query)

    whole, best = found[with_pieces.pk]
    assert whole == pytest.approx(1 - float(unit(1, 1) @ query), abs=1e-5)
    assert best == pytest.approx(1 - float(unit(1, 0.1) @ query), abs=1e-5)
    assert found[plain.pk] == pytest.approx((1.0, 1.0), abs=1e-5)  # no pieces: its own distance twice
    other = LectureFactory(status=LectureStatus.COMPLETED)
    assert retrieval.candidate_distances(other.owner_id, [with_pieces.pk, plain.pk], query) == {}


def test_a_chunk_with_a_piece_close_to_the_question_moves_up(monkeypatch):
    lecture = LectureFactory(status=LectureStatus.COMPLETED)
    query = unit(1)
    first = make_chunk(lecture, 0, unit(1, 0.5))  # nearest as a whole
    second = make_chunk(lecture, 1, unit(1, 0.8))
    diluted = make_chunk(lecture, 2, unit(1, 1.2), text="a keyword table")  # farthest as a whole ...
    ChunkPiece.objects.create(chunk=diluted, embedding=unit(1, 0.05))  # ... but one line of it answers

    def pages():
        hits = retrieval.search(lecture.owner, "zzz", lecture_id=lecture.pk, query_vector=query)
        return [hit.chunk_id for hit in hits]

    assert pages() == [first.pk, diluted.pk, second.pk]
    monkeypatch.setattr(ranking, "PIECE_WEIGHT", 0.0)
    assert pages() == [first.pk, second.pk, diluted.pk]


# Ingestion runs its extraction in a child process with its own connection: the rows must be committed.
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_ingestion_stores_the_pieces_of_each_chunk(user, subject, tmp_path):
    notes = tmp_path / "words.md"
    notes.write_text(f"# {SLIDE.splitlines()[0]}\n\n" + "\n\n".join(SLIDE.splitlines()[1:]) + "\n", encoding="utf-8")

    lecture = ingest_now(upload_file(user, subject, notes))

    assert lecture.status == LectureStatus.COMPLETED
    stored = Chunk.objects.get(lecture=lecture)
    expected = piece_texts(stored.title, stored.text)
    assert len(expected) >= 3
    from smartnotes import ai

    vectors = np.array([np.array(p.embedding) for p in ChunkPiece.objects.filter(chunk=stored).order_by("pk")])
    assert np.allclose(vectors, ai.embed_texts(expected), atol=1e-4)


def test_reindex_builds_the_pieces_of_lectures_indexed_before_them(fake_openai_embeddings_env):
    from smartnotes import ai

    old = LectureFactory(status=LectureStatus.COMPLETED, file="lectures/old.md")
    titled = make_chunk(old, 0, unit(1), text=SLIDE, title="Reserved Words")
    single = LectureFactory(status=LectureStatus.COMPLETED, file="lectures/single.md")
    make_chunk(single, 0, unit(1), text="One line only", title="Alone")

    call_command("reindex_lectures", "--dry-run")
    assert not ChunkPiece.objects.exists()

    call_command("reindex_lectures")

    texts = piece_texts(titled.title, titled.text)
    vectors = np.array([np.array(p.embedding) for p in ChunkPiece.objects.filter(chunk=titled).order_by("pk")])
    assert np.allclose(vectors, ai.embed_texts(texts), atol=1e-5)
    titled.refresh_from_db()
    assert np.allclose(np.array(titled.embedding), ai.embed_texts([embedding_text(titled.title, titled.text)])[0])
    assert ChunkPiece.objects.count() == len(texts)  # the single-line lecture has nothing to add
    old.refresh_from_db()
    assert old.embedding_model == ai.embedding_model_id()


def test_reembedding_replaces_the_pieces(fake_openai_embeddings_env):
    lecture = LectureFactory(status=LectureStatus.COMPLETED)
    stored = make_chunk(lecture, 0, unit(1), text=SLIDE, title="Reserved Words")
    ChunkPiece.objects.create(chunk=stored, embedding=unit(0, 1))

    services.reembed_lecture(lecture)

    assert ChunkPiece.objects.filter(chunk=stored).count() == len(piece_texts(stored.title, stored.text))
    assert not ChunkPiece.objects.filter(chunk=stored, embedding=unit(0, 1).tolist()).exists()
