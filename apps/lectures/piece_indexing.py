"""The follow-up of a completed ingestion: embed and store the pieces of the lecture's chunks (pipeline/pieces.py).

A lecture is ready — searchable by its chunk vectors and full text — once its chunks are stored. Pieces only
refine how the top candidates are ranked (retrieval.candidate_distances falls back to a chunk's own vector), but
embedding them costs about twice as much as embedding the chunks. So ingestion queues this job when it
completes (services.enqueue_piece_indexing, with the run's token) and the student does not wait for it.

The pieces are written under the lecture's row lock, and only while that run is still the lecture's current,
completed run (runner.current_run). If a Reprocess or Retry was queued in the meantime, the lecture was deleted
or the embedding model changed, the job writes nothing; a newer run queues its own follow-up. The write replaces
all of the lecture's pieces, so a task delivered twice leaves no duplicates.
"""

import logging
import time

import numpy as np
from django.db import close_old_connections

from apps.core import metrics
from apps.jobs import runner
from apps.jobs.models import JobStatus
from apps.lectures.jobs import INGEST
from apps.lectures.models import Chunk, ChunkPiece, Lecture
from apps.lectures.pipeline.pieces import piece_texts
from smartnotes import ai

log = logging.getLogger(__name__)
KIND = "pieces"  # the django-q2 group and the metrics label


def piece_vectors(chunks) -> list[tuple[int, np.ndarray]]:
    """(chunk pk, vector) for every piece of ``chunks``, each embedded under its chunk's title. A text that
    several chunks share (overlapping passages of one slide: 2-3 % of the fixture decks' pieces) is embedded once."""
    owned = [(chunk.pk, text) for chunk in chunks for text in piece_texts(chunk.title, chunk.text)]
    if not owned:
        return []
    unique = list(dict.fromkeys(text for _, text in owned))
    vectors = dict(zip(unique, ai.embed_texts(unique), strict=True))
    return [(pk, vectors[text]) for pk, text in owned]


def replace_pieces(lecture_id: int, owned: list[tuple[int, np.ndarray]]) -> int:
    """Inside a transaction holding the lecture's row lock: the lecture's pieces become ``owned``, for the chunks
    it still has (locked until commit, so clearing its memory meanwhile cannot orphan one). Returns the count."""
    kept = set(Chunk.objects.select_for_update().filter(lecture_id=lecture_id).values_list("pk", flat=True))
    ChunkPiece.objects.filter(chunk__lecture_id=lecture_id).delete()
    created = ChunkPiece.objects.bulk_create(
        [ChunkPiece(chunk_id=pk, embedding=vector) for pk, vector in owned if pk in kept], batch_size=1000
    )
    return len(created)


def run(lecture_id: int, token: str) -> str:
    """The task's body: "completed" or "superseded" (nothing written)."""
    close_old_connections()
    started = time.monotonic()
    try:
        outcome = _index(lecture_id, token)
    except Exception:
        metrics.job_finished(KIND, "failed", time.monotonic() - started)
        log.exception("lecture %s: its pieces could not be indexed (reindex_lectures builds them later)", lecture_id)
        raise
    metrics.job_finished(KIND, outcome, time.monotonic() - started)
    return outcome


def _index(lecture_id: int, token: str) -> str:
    if not Lecture.objects.filter(pk=lecture_id, task_id=token, status=JobStatus.COMPLETED).exists():
        return "superseded"  # checked again under the lock; this only spares the embedding work
    chunks = list(Chunk.objects.filter(lecture_id=lecture_id).only("pk", "title", "text").order_by("chunk_index"))
    model_id = ai.embedding_model_id()
    owned = piece_vectors(chunks)
    try:
        with runner.current_run(INGEST, lecture_id, token, status=JobStatus.COMPLETED) as lecture:
            if lecture.embedding_model != model_id:  # pieces must share their chunks' vector space
                raise runner.Superseded(f"lecture {lecture_id} is indexed with {lecture.embedding_model}")
            stored = replace_pieces(lecture_id, owned)
    except runner.Superseded as exc:
        log.info("lecture %s: pieces of run %s not stored: %s", lecture_id, token[:8], exc)
        return "superseded"
    log.info("lecture %s: %s pieces indexed for %s chunks", lecture_id, stored, len(chunks))
    return "completed"
