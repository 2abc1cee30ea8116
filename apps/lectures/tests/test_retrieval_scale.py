"""The vector part of retrieval picks an exact scan or HNSW per scope, and chunk rows keep their vectors inline."""

import numpy as np
import pytest
from django.db import connection

from apps.lectures import retrieval
from apps.lectures.models import Chunk
from tests.factories import LectureFactory

pytestmark = pytest.mark.django_db


def _add_chunks(lecture, count, rng, text="a passage about loops"):
    vectors = rng.standard_normal((count, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    Chunk.objects.bulk_create(
        Chunk(owner=lecture.owner, subject=lecture.subject, lecture=lecture, page=i // 10 + 1, chunk_index=i,
              text=f"{text} {i}", embedding=vectors[i])
        for i in range(count)
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE lectures_chunk")
    return vectors


@pytest.fixture
def rng():
    return np.random.default_rng(7)


@pytest.fixture
def small_costs(monkeypatch):
    """Cost constants that move the exact/HNSW boundary down to a few dozen chunks, so tests stay small: for
    10 results, an exact scan wins up to 2 x ef_search = 20 chunks when the scope is the whole table."""
    monkeypatch.setattr(retrieval, "EF_SEARCH", 10)
    monkeypatch.setattr(retrieval, "EXACT_ROW_COST", 1.0)
    monkeypatch.setattr(retrieval, "HNSW_NODE_COST", 2.0)


def test_only_the_text_of_a_chunk_leaves_its_row():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = 'lectures_chunk'::regclass "
            "AND attname IN ('embedding', 'search_vector')"
        )
        assert dict(cursor.fetchall()) == {"embedding": "m", "search_vector": "m"}
    lecture = LectureFactory(status="completed")
    # A long chunk (~500 tokens, 3 KB): with its vector and tsvector the row is over the 2 KB TOAST threshold.
    words = " ".join(f"loop{i % 120} variable{i % 37}" for i in range(200))
    _add_chunks(lecture, 1, np.random.default_rng(1), text=words)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = 'lectures_chunk'::regclass")
        toast = cursor.fetchone()[0]
        cursor.execute(f"SELECT count(DISTINCT chunk_id), sum(length(chunk_data)) FROM {toast}")  # noqa: S608
        values, size = cursor.fetchone()
    assert values == 1  # one out-of-line value...
    assert size < len(words)  # ...the (compressed) text, not the 1,536-byte vector or the tsvector


def test_a_small_scope_is_scanned_exactly(rng):
    lecture = LectureFactory(status="completed")
    vectors = _add_chunks(lecture, 60, rng)
    assert retrieval.vector_plan(lecture.owner_id, subject_id=lecture.subject_id) == "exact"
    query = vectors[5] + 0.05 * rng.standard_normal(384).astype(np.float32)
    auto = retrieval.vector_ids(lecture.owner_id, query, subject_id=lecture.subject_id)
    exact = retrieval.vector_ids(lecture.owner_id, query, subject_id=lecture.subject_id, exact=True)
    assert auto == exact
    assert auto[0][0] == Chunk.objects.get(lecture=lecture, chunk_index=5).pk


def test_a_scope_that_is_most_of_a_large_table_uses_hnsw(rng, small_costs):
    lecture = LectureFactory(status="completed")
    vectors = _add_chunks(lecture, 100, rng)
    assert retrieval.vector_plan(lecture.owner_id, subject_id=lecture.subject_id, limit=10) == "hnsw"
    assert retrieval.vector_plan(lecture.owner_id, lecture_id=lecture.pk, limit=10) == "hnsw"
    rows = retrieval.vector_ids(lecture.owner_id, vectors[42], subject_id=lecture.subject_id, limit=10)
    assert len(rows) == 10
    assert rows[0][0] == Chunk.objects.get(lecture=lecture, chunk_index=42).pk
    assert rows[0][1] == pytest.approx(0.0, abs=1e-5)


def test_a_small_share_of_a_large_table_is_scanned_exactly(rng, small_costs):
    """30 chunks among 330: HNSW would have to walk past ~10 other students' chunks for each of its own."""
    mine = LectureFactory(status="completed")
    theirs = LectureFactory(status="completed")
    vectors = _add_chunks(mine, 30, rng)
    _add_chunks(theirs, 300, rng)
    assert retrieval.vector_plan(mine.owner_id, subject_id=mine.subject_id, limit=10) == "exact"
    assert retrieval.vector_plan(theirs.owner_id, subject_id=theirs.subject_id, limit=10) == "hnsw"
    rows = retrieval.vector_ids(mine.owner_id, vectors[7], subject_id=mine.subject_id, limit=10)
    assert rows == retrieval.vector_ids(mine.owner_id, vectors[7], subject_id=mine.subject_id, limit=10, exact=True)
    assert {r[0] for r in rows} <= set(Chunk.objects.filter(lecture=mine).values_list("pk", flat=True))


def test_an_empty_scope_finds_nothing():
    lecture = LectureFactory(status="completed")
    assert retrieval.vector_plan(lecture.owner_id, subject_id=lecture.subject_id) == "exact"
    assert retrieval.vector_ids(lecture.owner_id, np.ones(384, dtype=np.float32), subject_id=lecture.subject_id) == []


def test_full_text_reads_the_scoped_index_and_stays_in_scope():
    """The scope lexemes cannot be forged by a chunk's text, and each scope finds only its own chunks."""
    mine = LectureFactory(status="completed")
    other_lecture = LectureFactory(status="completed", owner=mine.owner, subject=mine.subject)
    elsewhere = LectureFactory(status="completed", owner=mine.owner)  # another subject of the same student
    theirs = LectureFactory(status="completed")
    _add_chunks(mine, 3, np.random.default_rng(2), text="recursion base case")
    _add_chunks(other_lecture, 2, np.random.default_rng(3), text="recursion stack frames")
    forged = f"recursion #subject {mine.subject_id} #lecture {mine.pk} '#subject {mine.subject_id}'"
    _add_chunks(elsewhere, 2, np.random.default_rng(4), text=forged)
    _add_chunks(theirs, 2, np.random.default_rng(5), text="recursion")

    def found(**scope):
        return {row[0] for row in retrieval.text_ids(mine.owner_id, "recursion", **scope)}

    mine_ids = set(Chunk.objects.filter(lecture=mine).values_list("pk", flat=True))
    other_ids = set(Chunk.objects.filter(lecture=other_lecture).values_list("pk", flat=True))
    assert found(lecture_id=mine.pk) == mine_ids
    assert found(subject_id=mine.subject_id) == mine_ids | other_ids
    assert found(lecture_id=mine.pk, subject_id=mine.subject_id) == mine_ids
    assert len(found(subject_id=elsewhere.subject_id)) == 2
    assert retrieval.text_ids(theirs.owner_id, "recursion", subject_id=mine.subject_id) == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'chunk_scoped_search_gin'")
        assert cursor.fetchone() is not None


def test_the_scope_size_is_the_count_ingestion_stored_or_a_count_of_the_lectures_chunks(rng):
    stored = LectureFactory(status="completed", metadata={"chunks": 5000})
    _add_chunks(stored, 3, rng)  # the stored count is what the plan reads (written with the chunks)
    counted = LectureFactory(status="completed", owner=stored.owner, subject=stored.subject)
    _add_chunks(counted, 7, rng)
    LectureFactory(status="pending", owner=stored.owner, subject=stored.subject)  # nothing indexed yet
    elsewhere = LectureFactory(status="completed", metadata={"chunks": 90})  # another student's
    assert retrieval.scope_facts(stored.owner_id, subject_id=stored.subject_id).chunks == 5007
    assert retrieval.scope_facts(stored.owner_id, lecture_id=counted.pk).chunks == 7
    assert retrieval.scope_facts(stored.owner_id, lecture_id=elsewhere.pk).chunks == 0
    assert retrieval.scope_facts(elsewhere.owner_id, subject_id=elsewhere.subject_id).chunks == 90


def test_the_plan_follows_the_scope_and_table_sizes():
    facts = retrieval.ScopeFacts
    assert retrieval._exact_is_cheaper(facts(["english"], 0, 1), 40)
    assert retrieval._exact_is_cheaper(facts(["english"], 900, 1000), 40)  # a semester alone: tiny
    assert not retrieval._exact_is_cheaper(facts(["english"], 90_000, 100_000), 40)  # most of a big table
    assert retrieval._exact_is_cheaper(facts(["english"], 10_000, 1_000_000), 40)  # 1 % of a big table
