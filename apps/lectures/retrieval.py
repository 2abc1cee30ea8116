"""Hybrid retrieval over a student's chunks: pgvector cosine search + PostgreSQL full-text search, scored
together (ranking.combined_scores). The only module that writes vector SQL; every query is filtered to one owner and to
a lecture or subject.
"""

import functools
import logging
from dataclasses import dataclass

import numpy as np
from django.db import DatabaseError, connection, transaction

from apps.core import db_threads
from apps.lectures import ranking, relevance
from apps.lectures.models import DEFAULT_TEXT_LANGUAGE
from smartnotes import ai

log = logging.getLogger(__name__)

RRF_K = 60
CANDIDATES = 40
EF_SEARCH = 200
# Exact scan of a scope vs an HNSW scan (see _exact_is_cheaper): costs, in µs, of reading one row of the scope
# and computing its distance, and of one graph node an HNSW scan visits (its neighbours' distances), measured
# with bench/retrieval.py on 384-d vectors (exact: 1.5-2.6 µs a row; HNSW: 25-30 µs a node, 117 ms for a 1 %
# share of a 100k-chunk table, where it visits ~4,000 nodes).
EXACT_ROW_COST = 2.0
HNSW_NODE_COST = 30.0
# Full-text candidates ranked per tier (see text_ids): every match of a question in a scope of a few hundred
# chunks; in a huge one (a common word in 90,000 chunks) the first this many the index yields, where a bigger pool
# buys time, not order. 1,000 -> 300 took that case's full-text part from 20 to 11 ms p50; the evaluation's
# figures are the same from 60 to 1,000 (README "Retrieval quality").
TEXT_POOL = 300
# ts_rank_cd's normalization flags (0: none; 1: divided by 1 + log(length); 2: by length). 1, 2 and 4 were
# measured and lowered top-1 (README "Retrieval quality").
TEXT_RANK_NORMALIZATION = 0


@dataclass(frozen=True)
class Hit:
    chunk_id: int
    lecture_id: int
    lecture_name: str
    page: int
    text: str
    content_type: str
    score: float
    vector_rank: int | None = None
    text_rank: int | None = None
    # Cosine distance to the query (0 = same direction, 2 = opposite) when the vector search found it.
    distance: float | None = None
    # True when the chunk matches the whole websearch query (every word), not just one of its words.
    text_match: bool = False


def _scope(
    owner_id: int, lecture_id: int | None, subject_id: int | None, *, table: str = "c", lecture_key: str = "lecture_id"
) -> tuple[str, list]:
    """The WHERE fragment for the scope's chunks (table "c"), or its lectures (table "l", lecture_key "id")."""
    if lecture_id is None and subject_id is None:
        raise ValueError("retrieval needs a lecture or a subject")
    sql, params = f"{table}.owner_id = %s", [owner_id]
    if lecture_id is not None:
        sql += f" AND {table}.{lecture_key} = %s"
        params.append(lecture_id)
    if subject_id is not None:
        sql += f" AND {table}.subject_id = %s"
        params.append(subject_id)
    return sql, params


@dataclass(frozen=True)
class ScopeFacts:
    """What a search needs to know about its scope before it runs (scope_facts)."""

    languages: list[str]  # the full-text languages of its lectures (text_ids)
    chunks: int  # how many chunks it holds (the vector plan, _exact_is_cheaper)
    table_rows: float  # the planner's estimate of the whole chunk table's size


def scope_facts(owner_id: int, *, lecture_id=None, subject_id=None) -> ScopeFacts:
    """One read of the scope's lectures: their languages and chunk counts. Each lecture's count is the one
    ingestion stored with its chunks (metadata "chunks", written in the same transaction); a lecture without it
    (never indexed, or made some other way) has its chunks counted through the lecture btree. Counting the
    scope's chunks instead cost ~5 ms in a 90,000-chunk subject, a fifth of the whole search."""
    sql, params = _scope(owner_id, lecture_id, subject_id, table="l", lecture_key="id")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT coalesce(array_agg(DISTINCT l.language ORDER BY l.language), '{{}}'),
                   coalesce(sum(CASE WHEN jsonb_typeof(l.metadata -> 'chunks') = 'number'
                                     THEN (l.metadata ->> 'chunks')::numeric::bigint
                                     ELSE (SELECT count(*) FROM lectures_chunk c WHERE c.lecture_id = l.id) END), 0),
                   (SELECT greatest(reltuples, 1) FROM pg_class WHERE oid = 'lectures_chunk'::regclass)
            FROM lectures_lecture l WHERE {sql}
            """,  # noqa: S608 - `sql` is built from fixed fragments; values are parameters
            params,
        )
        languages, chunks, table_rows = cursor.fetchone()
    return ScopeFacts(list(languages) or [DEFAULT_TEXT_LANGUAGE], int(chunks), float(table_rows))


def vector_ids(owner_id, query_vector, *, lecture_id=None, subject_id=None, limit=CANDIDATES, exact=None, facts=None):
    """(chunk id, cosine distance) rows nearest to the query vector, best first.

    `exact=None` picks per query: an exact scan of just the scope's rows (found through the owner/subject or
    lecture btree; recall 1.0) when the scope is small enough for that to be cheaper than HNSW, an HNSW scan
    otherwise. `exact=True` always scans exactly (the ground truth for recall measurements), `exact=False`
    always uses HNSW, with iterative scans so the owner/lecture filter cannot starve the result list.
    `facts` (scope_facts) saves reading them again when the caller has them.
    """
    where, params = _scope(owner_id, lecture_id, subject_id)
    vector = _literal(np.asarray(query_vector, dtype=np.float32))
    if exact is None:
        facts = facts or scope_facts(owner_id, lecture_id=lecture_id, subject_id=subject_id)
        exact = _exact_is_cheaper(facts, limit)
    with connection.cursor() as cursor:
        if exact:
            # The distances are computed in a CTE and sorted outside it, so the planner cannot use HNSW here:
            # it reads the scope's rows through the btree (or a seq scan when the scope is most of the table).
            cursor.execute(
                f"""
                WITH scoped AS MATERIALIZED (
                    SELECT c.id, c.embedding <=> %s::vector AS distance
                    FROM lectures_chunk c
                    WHERE {where} AND c.embedding IS NOT NULL
                )
                SELECT id, distance FROM scoped ORDER BY distance, id LIMIT %s
                """,  # noqa: S608 - `where` is built from fixed fragments; values are parameters
                [vector, *params, limit],
            )
            return cursor.fetchall()
    with transaction.atomic(), connection.cursor() as cursor:
        # enable_sort off: the planner takes the index that yields the order (HNSW), not a btree scan + sort,
        # which its row estimates can make look cheaper for mid-size scopes.
        cursor.execute(
            "SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('hnsw.ef_search', %s, true), "
            "set_config('enable_sort', 'off', true)",
            [str(max(EF_SEARCH, limit))],
        )
        cursor.execute(
            f"""
            WITH nearest AS MATERIALIZED (
                SELECT c.id, c.embedding <=> %s::vector AS distance
                FROM lectures_chunk c
                WHERE {where} AND c.embedding IS NOT NULL
                ORDER BY c.embedding <=> %s::vector
                LIMIT %s
            )
            SELECT id, distance FROM nearest ORDER BY distance
            """,  # noqa: S608 - `where` is built from fixed fragments; values are parameters
            [vector, *params, vector, limit],
        )
        return cursor.fetchall()


def _exact_is_cheaper(facts: ScopeFacts, limit: int) -> bool:
    """Whether an exact scan of the scope beats HNSW, from the scope's size and the table's.

    An exact scan costs a row per scope row. An HNSW scan visits about ef_search nodes when the scope is most
    of the table, but limit / share nodes when the scope is a small share of it (iterative scans skip the
    other rows): a 5k-chunk semester among 1M chunks is an exact-scan case, the same semester alone in
    the table an HNSW one.
    """
    if not facts.chunks:
        return True
    ef = max(EF_SEARCH, limit)
    hnsw_nodes = max(ef, limit * max(facts.table_rows, facts.chunks) / facts.chunks)
    return facts.chunks * EXACT_ROW_COST <= hnsw_nodes * HNSW_NODE_COST


def vector_plan(owner_id, *, lecture_id=None, subject_id=None, limit=CANDIDATES) -> str:
    """Which scan `vector_ids` would use for this scope now: "exact" or "hnsw" (benchmarks, tests)."""
    facts = scope_facts(owner_id, lecture_id=lecture_id, subject_id=subject_id)
    return "exact" if _exact_is_cheaper(facts, limit) else "hnsw"


_QUOTED_LEXEME = (
    "(chr(39) || replace(replace({lx}, chr(92), chr(92) || chr(92)), chr(39), chr(39) || chr(39)) || chr(39))"
)


def text_ids(
    owner_id, query: str, *, lecture_id=None, subject_id=None, limit=CANDIDATES, pool=TEXT_POOL, idf=True, facts=None
):
    """(chunk id, rank, matches the whole query, coverage) rows for the query words, best first.

    Rows matching the whole websearch query (all words, quoted phrases, -exclusions) rank first; rows
    matching any of its words follow (only when the first tier has fewer than `limit` rows), so a
    natural-language question still finds passages. A row's rank is the sum over the question's words of the
    word's rarity (BM25's inverse document frequency) times ts_rank_cd for that word (title words weigh more:
    setweight A), not ts_rank_cd's equal weights: "leftover" outweighs "number" in a deck that says "number" on
    every slide. Rarity is counted among the rows being ranked (those matching any of the words), which costs
    nothing beyond ranking them; when the whole-query tier is full, every row holds every word and the weights
    are equal. A row's coverage is the share of the question's rarity it contains (0–1).
    Each lecture's chunks are indexed in its own language (Lecture.language): the question is read once per
    language in the scope, each with its own rows, and the rows merged (a subject of English and French decks).
    Ranking reads every candidate's tsvector, so each tier ranks at most `pool` matching rows: exact
    for scopes where a query matches up to `pool` chunks, bounded in time for huge ones (a common word in a
    100k-chunk subject) where the tier's pool is the first `pool` matches the index yields. The "any word"
    query is built from the question's own lexemes, each quoted, so lexemes such as `error.cpp:11` or `ˆ` can
    never break the tsquery syntax.
    """
    where, _ = _scope(owner_id, lecture_id, subject_id)
    where = where.replace("c.owner_id = %s", "c.owner_id = %(owner)s")
    where = where.replace("c.lecture_id = %s", "c.lecture_id = %(lecture)s").replace(
        "c.subject_id = %s", "c.subject_id = %(subject)s"
    )
    scope = _scope_query(lecture_id, subject_id)
    params = {
        "owner": owner_id,
        "lecture": lecture_id,
        "subject": subject_id,
        "scope": scope,
        "query": query,
        "pool": pool,
        "limit": limit,
        "norm": TEXT_RANK_NORMALIZATION,
        "idf": idf,
    }
    languages = (facts or scope_facts(owner_id, lecture_id=lecture_id, subject_id=subject_id)).languages
    if len(languages) == 1:
        return _text_rows(where, {**params, "config": languages[0]})
    where += " AND c.language = %(config)s::regconfig"
    rows = [row for language in languages for row in _text_rows(where, {**params, "config": language})]
    return sorted(rows, key=lambda row: (not row[2], -row[1], row[0]))[:limit]


def _text_rows(where: str, params: dict) -> list[tuple]:
    """text_ids' query for the rows of one language (params["config"])."""
    quoted = _QUOTED_LEXEME.format(lx="lx")
    scoped = _SCOPED_SEARCH_VECTOR
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH q AS (
                SELECT %(scope)s::tsquery AS scope, websearch_to_tsquery(%(config)s::regconfig, %(query)s) AS strict,
                       coalesce(nullif(array_to_string(ARRAY(
                                    SELECT {quoted}
                                    FROM unnest(tsvector_to_array(to_tsvector(%(config)s::regconfig, %(query)s))) AS lx
                                ), ' | '), ''), 'zzzznomatch')::tsquery AS loose
            ),
            strict_pool AS MATERIALIZED (
                SELECT c.id, c.search_vector, true AS strict FROM lectures_chunk c, q
                WHERE {where} AND {scoped} @@ (q.strict && q.scope)
                LIMIT %(pool)s
            ),
            loose_pool AS MATERIALIZED (
                SELECT c.id, c.search_vector, false AS strict FROM lectures_chunk c, q
                WHERE (SELECT count(*) FROM strict_pool) < %(limit)s
                  AND {where} AND {scoped} @@ (q.loose && q.scope) AND NOT (c.search_vector @@ q.strict)
                LIMIT %(pool)s
            ),
            pool AS MATERIALIZED (SELECT * FROM strict_pool UNION ALL SELECT * FROM loose_pool),
            idf AS (
                SELECT t.term, CASE WHEN %(idf)s THEN ln(1 + (s.n - s.df + 0.5) / (s.df + 0.5)) ELSE 1 END AS weight
                FROM (SELECT DISTINCT ({quoted})::tsquery AS term
                      FROM unnest(tsvector_to_array(to_tsvector(%(config)s::regconfig, %(query)s))) AS lx) t,
                     LATERAL (SELECT count(*) FILTER (WHERE p.search_vector @@ t.term) AS df, count(*) AS n
                              FROM pool p) s
            )
            SELECT p.id,
                   (SELECT coalesce(sum(idf.weight * ts_rank_cd(p.search_vector, idf.term, %(norm)s)), 0)
                    FROM idf) AS rank,
                   p.strict,
                   (SELECT coalesce(sum(idf.weight) FILTER (WHERE p.search_vector @@ idf.term), 0)
                           / greatest(sum(idf.weight), 1e-9) FROM idf) AS coverage
            FROM pool p
            ORDER BY p.strict DESC, rank DESC, p.id
            LIMIT %(limit)s
            """,  # noqa: S608
            params,
        )
        return cursor.fetchall()


# The expression of the chunk_scoped_search_gin index (migration 0008): the chunk's tsvector plus lexemes naming
# its subject and lecture (with a space, so no parsed word can equal them). ANDing the scope's lexeme into a
# query lets GIN read only that scope's matches instead of the whole table's.
_SCOPED_SEARCH_VECTOR = (
    "(c.search_vector || array_to_tsvector(ARRAY['#subject ' || c.subject_id, '#lecture ' || c.lecture_id]))"
)


def _scope_query(lecture_id: int | None, subject_id: int | None) -> str:
    lexemes = [f"'#lecture {int(lecture_id)}'"] if lecture_id is not None else []
    if subject_id is not None:
        lexemes.append(f"'#subject {int(subject_id)}'")
    return " & ".join(lexemes)


def candidate_distances(owner_id: int, chunk_ids: list[int], query_vector) -> dict[int, tuple[float, float]]:
    """Chunk id -> (cosine distance from the query to the chunk, the smallest distance to the chunk or any of its
    pieces, models.ChunkPiece) for those of ``chunk_ids`` the owner has. A chunk without pieces (one line, or a
    lecture indexed before pieces existed) has its own distance twice."""
    vector = _literal(np.asarray(query_vector, dtype=np.float32))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.id, c.embedding <=> %s::vector, least(c.embedding <=> %s::vector, min(p.embedding <=> %s::vector))
            FROM lectures_chunk c LEFT JOIN lectures_chunkpiece p ON p.chunk_id = c.id
            WHERE c.id = ANY(%s) AND c.owner_id = %s AND c.embedding IS NOT NULL
            GROUP BY c.id
            """,
            [vector, vector, vector, chunk_ids, owner_id],
        )
        return {cid: (float(whole), float(best)) for cid, whole, best in cursor.fetchall()}


def _literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in vector.tolist()) + "]"


def fuse(*rankings: list[int]) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of rankings of chunk ids (chat follow-ups, study material)."""
    scores: dict[int, float] = {}
    for order in rankings:
        for rank, chunk_id in enumerate(order, start=1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def _fused_ranks(owner_id, vector_rows, text_rows, vector, depth: int) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of the vector and full-text rankings, then once more with the top ``depth``
    ordered by their closest piece as a third ranking."""
    rankings = [[row[0] for row in rows] for rows in (vector_rows, text_rows) if rows]
    fused = fuse(*rankings)[:depth]
    if vector is not None and fused:
        best = {cid: piece for cid, (_, piece) in candidate_distances(owner_id, [c for c, _ in fused], vector).items()}
        fused = fuse(*rankings, sorted(best, key=lambda cid: (best[cid], cid)))[:depth]
    return fused


def search(
    user, query: str, *, lecture_id=None, subject_id=None, k=8, mode="hybrid", query_vector=None, fusion="scores"
) -> list[Hit]:
    """The retrieval entry point. mode: "hybrid" (default), "vector" or "text".

    fusion "scores" (default): the vector and full-text candidates (CANDIDATES of each) are scored together by
    ranking.combined_scores, the similarity of the chunk and of its closest piece plus a share of the full-text
    score: best for a student's question, often a paraphrase that shares few words with the slide. "ranks":
    reciprocal rank fusion of the vector, full-text and closest-piece rankings, which rewards passages both
    kinds of evidence agree on: best for a long exam question that names several things (apps/documents/
    material.py); measured in README "Retrieval quality".
    `query_vector` skips embedding the query (callers that already have it, benchmarks).
    """
    query = (query or "").strip()
    if not query:
        return []
    vector_rows, text_rows = [], []
    scope = {"lecture_id": lecture_id, "subject_id": subject_id}
    facts = scope_facts(user.pk, **scope)
    text_part = functools.partial(text_ids, user.pk, query, idf=fusion != "ranks", facts=facts, **scope)
    # The full-text part runs on a second connection while this thread embeds the question and runs the vector
    # part (None: run it here, after).
    pending = db_threads.submit(text_part) if mode == "hybrid" else None
    if mode in ("hybrid", "vector"):
        vector = ai.embed_query(query) if query_vector is None else query_vector
        vector_rows = vector_ids(user.pk, vector, facts=facts, **scope)
    if mode in ("hybrid", "text"):
        text_rows = _result(pending) if pending is not None else None
        if text_rows is None:
            text_rows = text_part()
    ids = list(dict.fromkeys([row[0] for row in vector_rows] + [row[0] for row in text_rows]))
    if not ids:
        return []
    depth = max(k, ranking.RERANK_DEPTH)
    if fusion == "ranks":
        scored = _fused_ranks(user.pk, vector_rows, text_rows, vector if vector_rows else None, depth)
    else:
        texts = [ranking.TextMatch(cid, float(rank), float(coverage)) for cid, rank, _, coverage in text_rows]
        distances = candidate_distances(user.pk, ids, vector) if vector_rows else {}
        scored = ranking.combined_scores(distances, texts)[:depth]
    v_pos = {row[0]: i for i, row in enumerate(vector_rows, start=1)}
    t_pos = {row[0]: i for i, row in enumerate(text_rows, start=1)}
    distances = {row[0]: float(row[1]) for row in vector_rows}
    strict = {row[0] for row in text_rows if row[2]}
    rows = _load([cid for cid, _ in scored], user.pk)
    candidates = [
        ranking.Candidate(cid, rows[cid][0], rows[cid][2], rows[cid][5], rows[cid][6], score)
        for cid, score in scored
        if cid in rows
    ]
    return [
        Hit(
            chunk_id=c.chunk_id,
            lecture_id=c.lecture_id,
            lecture_name=rows[c.chunk_id][1],
            page=c.page,
            text=rows[c.chunk_id][3],
            content_type=rows[c.chunk_id][4],
            score=c.score,
            vector_rank=v_pos.get(c.chunk_id),
            text_rank=t_pos.get(c.chunk_id),
            distance=distances.get(c.chunk_id),
            text_match=c.chunk_id in strict,
        )
        for c in ranking.rerank(candidates)[:k]
    ]


# A hit is "on topic" when its cosine distance to the question is at most this, or when it contains every
# word of the question. Calibrated with all-MiniLM-L6-v2 on the shared fixture decks (py4e Expressions,
# scicomp, grobol XML ingested together; 20 questions they answer, 14 they do not): the answered questions
# had a best distance of 0.21-0.61 (one more, "What is a DTD?", 0.81 but matching every word), the others
# 0.74-0.90. The threshold sits in that gap; apps/chat/tests/test_real_documents.py keeps it honest. Other
# embedding models get the cut-off at the same place on their own scale (apps/lectures/relevance.py).
RELEVANCE_MAX_DISTANCE = relevance.REFERENCE_MAX_DISTANCE


def _result(pending):
    """The full-text rows from the other connection, or None when it failed there (it is then run here)."""
    try:
        return pending.result()
    except DatabaseError:
        log.warning("full-text part failed on a search thread; running it in the caller", exc_info=True)
        return None


def relevant_hits(hits: list[Hit], *, max_distance: float | None = None) -> list[Hit]:
    """The hits that look on topic (see RELEVANCE_MAX_DISTANCE), best first. Empty: the notes do not cover
    the question. ``max_distance`` defaults to the cut-off calibrated for the configured embedding model."""
    if max_distance is None:
        max_distance = relevance.max_distance()
    return [h for h in hits if h.text_match or (h.distance is not None and h.distance <= max_distance)]


def _load(ids: list[int], owner_id: int) -> dict[int, tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.id, c.lecture_id, l.name, c.page, c.text, c.content_type, c.title, c.is_overview
            FROM lectures_chunk c JOIN lectures_lecture l ON l.id = c.lecture_id
            WHERE c.id = ANY(%s) AND c.owner_id = %s
            """,
            [ids, owner_id],
        )
        return {row[0]: row[1:] for row in cursor.fetchall()}
