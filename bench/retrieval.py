"""Retrieval latency and recall at 1k, 10k and 100k chunks and in a 1M-chunk multi-user table, each figure
against an exact scan timed in the same run.

Builds a throwaway database (``bench_retrieval``, or --db) on the same PostgreSQL server as the app (the
embedded one, or DATABASE_URL's), migrates it, and fills it with synthetic chunks: clustered random 384-d unit
vectors and real text from the shared fixture decks, varied per chunk. Rows go in with binary COPY, with the
HNSW and GIN indexes dropped first and rebuilt afterwards, then VACUUM ANALYZE (as autovacuum does after a bulk
load). For ~100 queries (a perturbed chunk vector plus a few words of that chunk's text) it measures, through
``apps.lectures.retrieval``, one kind of query at a time (after a warm-up, so an exact scan of most of the
table does not evict what the next kind reads):

* the exact scan of the scope (the baseline), the vector part as ``search`` runs it (an exact scan of the
  scope or HNSW, chosen per query by ``vector_ids``) and HNSW alone,
* the full-text part, and hybrid search (``retrieval.search`` with a precomputed query vector: vector part +
  full text + scoring + row load) in the subject scope and in one lecture,
* recall@10 against the exact scan, for the vector part as search runs it and for HNSW alone at a few
  ``hnsw.ef_search`` values.

1k / 10k / 100k: one student owns 90 % of the table in one subject (a semester of notes is 1k-10k chunks);
another owns the rest, 1 % of the table as a subject of its own, measured at 100k to show what HNSW costs when
the scope is a small share of the table (it must walk past the other 99 %) and that the exact scan replaces it.

1M (--large): building a real 1M-chunk HNSW index takes ~15-30 min of both shared cores here, so the large run
is the case that matters for a multi-user server instead: 100 students with a 10k-chunk semester each (the
measured student's semester plus 99 copies of it under other owners, subjects and lectures, so full-text
posting lists grow with the table as with real students), and no HNSW index. That is the real 1M plan, not an
approximation of it: for a 10k-chunk scope in a 1M-chunk table ``vector_ids`` chooses the exact scan (the
HNSW walk past 99 % of other students' chunks costs ~18x more and finds ~0.88 of the top 10, as the 100k run's
1 % share scope shows), and the exact scan and the scoped full-text index read only the scope's rows. What the
large run does not measure is one student owning most of a 1M table (HNSW over 900k chunks), which no real
semester reaches; there HNSW's cost grows with ef_search and the graph depth (log of the table size), from
~5 ms at 100k. The large build takes ~6-10 min (copying rows, then the GIN indexes); --large 0 skips it.

Prints p50/p95 and ratios; exits 0 whatever the figures (targets are reported, not enforced). The database is
dropped at the end unless --keep.

Usage: .venv/bin/python bench/retrieval.py [--sizes 1000 10000 100000] [--large 1000000 | --large 0]
       [--semester 10000] [--queries 100] [--db bench_retrieval_NAME] [--keep]
"""

import argparse
import os
import random
import re
import statistics
import subprocess
import time

import benchenv  # first: the repository importable, offline and quiet settings
import numpy as np

FIXTURES = benchenv.FIXTURES
BENCH_DB = os.environ.get("BENCH_RETRIEVAL_DB", "bench_retrieval")
DIM = 384
CHUNKS_PER_LECTURE = 100
TARGET_P95_MS = 30.0
TARGET_RECALL = 0.95


def pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def fmt(values):
    return f"p50 {statistics.median(values):7.2f} ms   p95 {pct(values, 95):7.2f} ms"


# -- database ---------------------------------------------------------------------------------------------


def admin_connect(db):
    import psycopg

    return psycopg.connect(
        dbname="postgres",
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        autocommit=True,
    )


def create_database(db, name=BENCH_DB):
    with admin_connect(db) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(db, name=BENCH_DB):
    with admin_connect(db) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(name=BENCH_DB, *, cache_table=False):
    """Create and migrate a throwaway database on the app's PostgreSQL server and point Django at it."""
    from django.conf import settings

    db = dict(settings.DATABASES["default"])  # importing the settings starts the embedded server if needed
    create_database(db, name)
    for alias in ("default", "channels_postgres"):
        if alias in settings.DATABASES:
            settings.DATABASES[alias]["NAME"] = name
    if (
        "CONFIG" in settings.CHANNEL_LAYERS.get("default", {})
        and "NAME" in settings.CHANNEL_LAYERS["default"]["CONFIG"]
    ):
        settings.CHANNEL_LAYERS["default"]["CONFIG"]["NAME"] = name
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if cache_table:
        call_command("createcachetable", verbosity=0)
    print(f"migrated {name} in {time.perf_counter() - started:.1f} s")
    return db


# -- synthetic data -------------------------------------------------------------------------------------------


def fixture_texts():
    texts = []
    for pdf in sorted((FIXTURES / "lectures").glob("*.pdf")):
        out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        for page in out.split("\f"):
            page = " ".join(page.split())
            if len(page) > 80:
                texts.append(page[:1500])
    if not texts:
        raise SystemExit(f"no fixture text found under {FIXTURES}")
    return texts


def make_vectors(n, rng, clusters=256, spread=0.03):
    """Clustered unit vectors: like sentence embeddings, neighbours are dense and close together."""
    centroids = rng.standard_normal((clusters, DIM)).astype(np.float32)
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    assign = rng.integers(clusters, size=n)
    vectors = centroids[assign] + spread * rng.standard_normal((n, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def load(n, rng, texts, vocabulary, *, other_share=0.1, indexes=True):
    """Users, subjects, lectures and n chunks: (1 - other_share) of them one subject of the measured user, the
    rest another user's, of which n // 100 (a 1 % share of the table) form a subject of their own."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone
    from pgvector.psycopg import register_vector

    from apps.lectures.models import Chunk, Lecture
    from apps.subjects.models import Subject

    Chunk.objects.all().delete()
    Lecture.objects.all().delete()
    Subject.objects.all().delete()
    get_user_model().objects.all().delete()

    User = get_user_model()
    user = User.objects.create(username="bench", email="bench@example.org")
    other = User.objects.create(username="other", email="other@example.org")
    subject = Subject.objects.create(user=user, name="Bench")
    other_subject = Subject.objects.create(user=other, name="Other")
    small_subject = Subject.objects.create(user=other, name="Other, 1 % share")
    n_other = int(n * other_share)
    n_small = n // 100 if n_other >= n // 100 else 0
    groups = [(user, subject, n - n_other), (other, other_subject, n_other - n_small), (other, small_subject, n_small)]
    lectures, spans, first = [], [], 0
    for owner, subj, count in groups:
        # metadata "chunks": the count ingestion stores with a lecture's chunks (read by the vector plan)
        group = [
            Lecture(owner=owner, subject=subj, name=f"{subj.name} lecture {i}", original_filename="x.pdf",
                    file_type="pdf", status="completed", processed_at=timezone.now(),
                    metadata={"chunks": min(CHUNKS_PER_LECTURE, count - i * CHUNKS_PER_LECTURE)})
            for i in range(-(-count // CHUNKS_PER_LECTURE))
        ]  # fmt: skip
        lectures.extend(group)
        spans.append((owner, subj, group, first, first + count))
        first += count
    Lecture.objects.bulk_create(lectures)

    vectors = make_vectors(n, rng)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS chunk_embedding_hnsw")
        cursor.execute("DROP INDEX IF EXISTS chunk_search_gin")
        cursor.execute("DROP INDEX IF EXISTS chunk_scoped_search_gin")
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'lectures_chunk'"
        )
        types = dict(cursor.fetchall())
    raw = connection.connection
    register_vector(raw)
    columns = ["owner_id", "subject_id", "lecture_id", "page", "chunk_index", "content_type", "text", "embedding"]
    names = {"USER-DEFINED": "vector", "character varying": "varchar"}
    pg_types = [names.get(types[c], types[c]) for c in columns]
    rows_text = []
    with (
        raw.cursor() as cur,
        cur.copy(f"COPY lectures_chunk ({', '.join(columns)}) FROM STDIN WITH (FORMAT BINARY)") as copy,
    ):
        copy.set_types(pg_types)
        for owner, subj, group, lo, hi in spans:
            for i in range(lo, hi):
                j = i - lo
                words = " ".join(rng.choice(vocabulary, size=12))
                text = f"{texts[i % len(texts)]} {words} (part {i})"
                rows_text.append(text)
                lecture = group[j // CHUNKS_PER_LECTURE]
                j %= CHUNKS_PER_LECTURE
                copy.write_row([owner.pk, subj.pk, lecture.pk, j + 1, j, "text", text, vectors[i]])
    if not raw.autocommit:
        raw.commit()
    print(f"  loaded {n:,} chunks: COPY {time.perf_counter() - started:.1f} s", end="")
    if indexes:
        build_indexes()
    else:
        print()
    scopes = {
        "subject": (user, subject, spans[0][2], range(spans[0][3], spans[0][4])),
        "small": (other, small_subject, spans[2][2], range(spans[2][3], spans[2][4])),
    }
    return scopes, vectors, rows_text


def build_indexes(*, hnsw=True):
    """The GIN (and HNSW) indexes after a bulk load, then VACUUM ANALYZE (as autovacuum does after one)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET max_parallel_maintenance_workers = 1")
        started = time.perf_counter()
        cursor.execute("CREATE INDEX chunk_search_gin ON lectures_chunk USING gin (search_vector)")
        cursor.execute(  # as in migration 0008
            "CREATE INDEX chunk_scoped_search_gin ON lectures_chunk USING gin "
            "((search_vector || array_to_tsvector(ARRAY['#subject ' || subject_id, '#lecture ' || lecture_id])))"
        )
        print(f", GIN indexes {time.perf_counter() - started:.1f} s", end="")
        if hnsw:
            started = time.perf_counter()
            cursor.execute(
                "CREATE INDEX chunk_embedding_hnsw ON lectures_chunk USING hnsw (embedding vector_cosine_ops) "
                "WITH (m = 16, ef_construction = 64)"
            )
            print(f", HNSW index (m=16, ef_construction=64) {time.perf_counter() - started:.1f} s", end="")
        started = time.perf_counter()
        cursor.execute("VACUUM ANALYZE lectures_chunk")
        print(f", VACUUM ANALYZE {time.perf_counter() - started:.1f} s")


def load_large(total, semester, rng, texts, vocabulary):
    """A multi-user table of `total` chunks: the measured user's semester (`semester` chunks, built like the
    other sizes) and copies of it owned by (total - semester) / semester other students, each with a subject
    and lectures of their own. The copies share the semester's text and vectors, so the full-text posting
    lists grow with the table as they would with real students; no HNSW index is built (see the docstring)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from apps.lectures.models import Lecture
    from apps.subjects.models import Subject

    scopes, vectors, rows_text = load(semester, rng, texts, vocabulary, other_share=0.0, indexes=False)
    user, subject, mine, _ = scopes["subject"]
    copies = (total - semester) // semester
    started = time.perf_counter()
    User = get_user_model()
    students = User.objects.bulk_create(
        [User(username=f"student{k}", email=f"student{k}@example.org") for k in range(copies)]
    )
    subjects = Subject.objects.bulk_create([Subject(user=u, name="Semester") for u in students])
    lectures = Lecture.objects.bulk_create(
        [
            Lecture(owner=u, subject=s, name=lec.name, original_filename="x.pdf", file_type="pdf",
                    status="completed", processed_at=timezone.now(), metadata=lec.metadata)
            for u, s in zip(students, subjects, strict=True)
            for lec in mine
        ]
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_lecture_map")
        cursor.execute(
            "CREATE TEMP TABLE bench_lecture_map (k int, src bigint, dst bigint, owner_id bigint, subject_id bigint)"
        )
        rows = [
            (k, src.pk, lectures[k * len(mine) + i].pk, students[k].pk, subjects[k].pk)
            for k in range(copies)
            for i, src in enumerate(mine)
        ]
        cursor.executemany("INSERT INTO bench_lecture_map VALUES (%s, %s, %s, %s, %s)", rows)
        for k in range(copies):
            cursor.execute(
                """
                INSERT INTO lectures_chunk (owner_id, subject_id, lecture_id, page, chunk_index, content_type, text,
                                            embedding)
                SELECT m.owner_id, m.subject_id, m.dst, c.page, c.chunk_index, c.content_type, c.text, c.embedding
                FROM lectures_chunk c JOIN bench_lecture_map m ON m.src = c.lecture_id AND m.k = %s
                WHERE c.owner_id = %s
                """,
                [k, user.pk],
            )
    print(f"  copied the semester for {copies} other students: {time.perf_counter() - started:.1f} s", end="")
    build_indexes(hnsw=False)
    return scopes, vectors, rows_text, semester * (copies + 1)


# -- measurements ---------------------------------------------------------------------------------------------


def make_queries(count, rng, vectors, texts, rows):
    """A perturbed chunk vector plus three words of that chunk's text, for chunks drawn from `rows`."""
    queries = []
    for _ in range(count):
        i = int(rows[int(rng.integers(len(rows)))])
        q = vectors[i] + 0.02 * rng.standard_normal(DIM).astype(np.float32)
        q /= np.linalg.norm(q)
        words = [w for w in re.findall(r"[A-Za-z]{4,}", texts[i])]
        phrase = " ".join(random.Random(i).sample(words, k=min(3, len(words)))) or "python"
        queries.append((q, phrase))
    return queries


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def line(label, values, baseline=None):
    ratio = ""
    if baseline:
        ratio = (
            f"   ratio to exact p50 {statistics.median(values) / statistics.median(baseline):6.3f}"
            f" p95 {pct(values, 95) / pct(baseline, 95):6.3f}"
        )
    print(f"  {label:<52}{fmt(values)}{ratio}")


def recall(truth, got):
    return sum(len(set(g[:10]) & set(t)) for g, t in zip(got, truth, strict=True)) / (10 * len(truth))


def run(fn, queries, warm=10):
    """Times fn(query) over all queries in one pass, after a warm-up pass over the first few: one kind of query
    at a time, so an exact scan reading most of the table cannot evict the pages the next kind uses."""
    for query in queries[:warm]:
        fn(*query)
    timings = [timed(lambda query=query: fn(*query)) for query in queries]
    return [ms for ms, _ in timings], [result for _, result in timings]


def ids(results):
    return [[row[0] for row in rows] for rows in results]


def measure_scope(owner, subject, queries, *, hnsw=True):
    """Exact (baseline), the vector part as search runs it, HNSW alone: {kind: (ms per query, ids per query)}."""
    from apps.lectures import retrieval

    scope = {"subject_id": subject.pk}
    kinds = {
        "exact": lambda q, _: retrieval.vector_ids(owner.pk, q, exact=True, **scope),
        "auto": lambda q, _: retrieval.vector_ids(owner.pk, q, **scope),
    }
    if hnsw:
        kinds["hnsw"] = lambda q, _: retrieval.vector_ids(owner.pk, q, exact=False, **scope)
    out = {}
    for kind, fn in kinds.items():
        ms, results = run(fn, queries)
        out[kind] = (ms, ids(results))
    return out


def measure(scopes, vectors, rows_text, args, rng, *, hnsw=True):
    """Prints the figures for the measured user's subject, and for the 1 % share scope when there is one."""
    from apps.lectures import retrieval

    user, subject, lectures, rows = scopes["subject"]
    queries = make_queries(args.queries, rng, vectors, rows_text, rows)
    scope = {"subject_id": subject.pk}
    vector = measure_scope(user, subject, queries, hnsw=hnsw)
    text_only = run(lambda _, p: retrieval.text_ids(user.pk, p, **scope), queries)[0]
    hybrid = run(lambda q, p: retrieval.search(user, p, query_vector=q, **scope), queries)[0]
    lecture = {"lecture_id": lectures[0].pk}
    hybrid_lecture = run(lambda q, p: retrieval.search(user, p, query_vector=q, **lecture), queries)[0]
    exact_ms, truth = vector["exact"]
    truth = [ids[:10] for ids in truth]
    plan = retrieval.vector_plan(user.pk, **scope)
    n_scope = len(rows)
    print(f"  subject scope: {n_scope:,} chunks of the measured user; vector part plan: {plan}")
    line(f"baseline: exact scan (top {retrieval.CANDIDATES})", exact_ms)
    line("vector part as search runs it", vector["auto"][0], exact_ms)
    if hnsw:
        line(f"HNSW alone (ef_search={retrieval.EF_SEARCH})", vector["hnsw"][0], exact_ms)
    line("full-text part", text_only, exact_ms)
    line("hybrid (vector + full text + scoring + rows), subject", hybrid, exact_ms)
    line(f"hybrid, one lecture ({CHUNKS_PER_LECTURE} chunks)", hybrid_lecture, exact_ms)
    auto_recall = recall(truth, vector["auto"][1])
    print(f"  recall@10 vs exact, vector part as search runs it: {auto_recall:.3f}")
    if hnsw:
        default_ef = retrieval.EF_SEARCH
        for ef in sorted({40, 100, 200, 400, default_ef}):
            retrieval.EF_SEARCH = ef
            got = [[r[0] for r in retrieval.vector_ids(user.pk, q, limit=10, exact=False, **scope)] for q, _ in queries]
            mark = " (default)" if ef == default_ef else ""
            print(f"  recall@10 vs exact, HNSW alone, ef_search={ef:<3}{mark}: {recall(truth, got):.3f}")
        retrieval.EF_SEARCH = default_ef

    other, small_subject, _, small_rows = scopes["small"]
    if hnsw and len(small_rows) >= 1000:
        small_queries = make_queries(args.queries, rng, vectors, rows_text, small_rows)
        small = measure_scope(other, small_subject, small_queries)
        small_truth = [ids[:10] for ids in small["exact"][1]]
        plan = retrieval.vector_plan(other.pk, subject_id=small_subject.pk)
        print(f"  1 % share scope: {len(small_rows):,} chunks of another user; vector part plan: {plan}")
        line("baseline: exact scan", small["exact"][0])
        line("vector part as search runs it", small["auto"][0], small["exact"][0])
        line("HNSW alone (iterative scan past the other 99 %)", small["hnsw"][0], small["exact"][0])
        print(
            f"  recall@10 vs exact: as search runs it {recall(small_truth, small['auto'][1]):.3f}, "
            f"HNSW alone {recall(small_truth, small['hnsw'][1]):.3f}"
        )
    ok_latency = pct(hybrid, 95) <= TARGET_P95_MS
    ok_recall = auto_recall >= TARGET_RECALL
    print(
        f"  targets: hybrid p95 <= {TARGET_P95_MS:.0f} ms: {'met' if ok_latency else 'NOT met'}; "
        f"recall@10 >= {TARGET_RECALL}: {'met' if ok_recall else 'NOT met'}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000, 100_000])
    parser.add_argument("--large", type=int, default=1_000_000, help="multi-user table size (0: skip)")
    parser.add_argument("--semester", type=int, default=10_000, help="the measured user's chunks in it")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--db", default=BENCH_DB, help=f"throwaway database to build (default {BENCH_DB})")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    if not re.fullmatch(r"bench_[A-Za-z0-9_]{1,56}", args.db):
        raise SystemExit(f"--db {args.db!r}: the benchmark database's name must be a plain identifier starting bench_")

    texts = fixture_texts()
    vocabulary = np.array(sorted({w.lower() for t in texts for w in re.findall(r"[A-Za-z]{4,}", t)}))
    print(f"{len(texts)} fixture pages of text, {len(vocabulary)} distinct words; {os.cpu_count()} CPUs")
    started = time.perf_counter()
    db = setup_django(args.db)
    try:
        for n in args.sizes:
            # One generator per size: a size's figures do not depend on which other sizes ran before it.
            rng = np.random.default_rng([args.seed, n])
            print(f"\n=== {n:,} chunks, one student ===")
            measure(*load(n, rng, texts, vocabulary), args, rng)
        if args.large:
            rng = np.random.default_rng([args.seed, args.large])
            print(f"\n=== {args.large:,} chunks, {args.large // args.semester} students of {args.semester:,} ===")
            scopes, vectors, rows_text, _ = load_large(args.large, args.semester, rng, texts, vocabulary)
            measure(scopes, vectors, rows_text, args, rng, hnsw=False)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(db, args.db)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
