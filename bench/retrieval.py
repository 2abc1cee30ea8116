"""Retrieval latency and HNSW recall at 10k and 100k chunks, against an exact scan timed in the same run.

Builds a throwaway database (``bench_retrieval``) on the same PostgreSQL server as the app (the embedded one,
or DATABASE_URL's), migrates it, and fills it with synthetic chunks: clustered random 384-d unit vectors and
real text from the shared fixture decks, varied per chunk. Rows go in with binary COPY, with the HNSW and GIN
indexes dropped first and rebuilt afterwards (as a bulk load should). For ~100 queries (a perturbed chunk
vector plus a few words of that chunk's text) it measures, through ``apps.lectures.retrieval``:

* hybrid search (``retrieval.search`` with a precomputed query vector: HNSW + full text + RRF + row load),
* the HNSW vector part alone, and the exact sequential scan (the baseline),
* recall@10 of the HNSW part against the exact scan, for a few ``hnsw.ef_search`` values.

Prints p50/p95 and ratios; exits 0 whatever the figures (targets are reported, not enforced). The database is
dropped at the end unless --keep.

Usage: .venv/bin/python bench/retrieval.py [--sizes 10000 100000] [--queries 100] [--keep]
"""

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartnotes.settings.base")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")

FIXTURES = Path(os.environ.get("SMARTNOTES_FIXTURES", ROOT.parent / "shared" / "fixtures"))
BENCH_DB = "bench_retrieval"
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


def load(n, rng, texts, vocabulary):
    """Users, subject, lectures and n chunks (90 % for the measured user, 10 % for another one)."""
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
    n_other = n // 10
    lectures = []
    for owner, subj, count in ((user, subject, n - n_other), (other, other_subject, n_other)):
        for i in range(max(1, count // CHUNKS_PER_LECTURE)):
            lectures.append(
                Lecture(owner=owner, subject=subj, name=f"{subj.name} lecture {i}", original_filename="x.pdf",
                        file_type="pdf", status="completed", processed_at=timezone.now())
            )  # fmt: skip
    Lecture.objects.bulk_create(lectures)
    mine = [lec for lec in lectures if lec.owner_id == user.pk]
    theirs = [lec for lec in lectures if lec.owner_id == other.pk]

    vectors = make_vectors(n, rng)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS chunk_embedding_hnsw")
        cursor.execute("DROP INDEX IF EXISTS chunk_search_gin")
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
        for i in range(n):
            owner, subj, group = (user, subject, mine) if i < n - n_other else (other, other_subject, theirs)
            j = i if owner is user else i - (n - n_other)
            lecture = group[min(len(group) - 1, j // CHUNKS_PER_LECTURE)]
            words = " ".join(rng.choice(vocabulary, size=12))
            text = f"{texts[i % len(texts)]} {words} (part {i})"
            rows_text.append(text)
            copy.write_row(
                [
                    owner.pk,
                    subj.pk,
                    lecture.pk,
                    j % CHUNKS_PER_LECTURE + 1,
                    j % CHUNKS_PER_LECTURE,
                    "text",
                    text,
                    vectors[i],
                ]
            )
    if not raw.autocommit:
        raw.commit()
    copy_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET max_parallel_maintenance_workers = 1")
        started = time.perf_counter()
        cursor.execute("CREATE INDEX chunk_search_gin ON lectures_chunk USING gin (search_vector)")
        gin_s = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute(
            "CREATE INDEX chunk_embedding_hnsw ON lectures_chunk USING hnsw (embedding vector_cosine_ops) "
            "WITH (m = 16, ef_construction = 64)"
        )
        hnsw_s = time.perf_counter() - started
        cursor.execute("ANALYZE lectures_chunk")
    print(
        f"  loaded {n} chunks: COPY {copy_s:.1f} s, GIN index {gin_s:.1f} s, HNSW index (m=16, ef_construction=64) {hnsw_s:.1f} s"
    )
    return user, subject, mine, vectors, rows_text, n - n_other


# -- measurements ---------------------------------------------------------------------------------------------


def make_queries(count, rng, vectors, texts, n_mine):
    queries = []
    for _ in range(count):
        i = int(rng.integers(n_mine))
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


def measure(n, args, rng, texts, vocabulary):
    from apps.lectures import retrieval

    print(f"\n=== {n:,} chunks ===")
    user, subject, lectures, vectors, rows_text, n_mine = load(n, rng, texts, vocabulary)
    queries = make_queries(args.queries, rng, vectors, rows_text, n_mine)
    scope = {"subject_id": subject.pk}
    for q, phrase in queries[:10]:  # warm the caches
        retrieval.search(user, phrase, query_vector=q, **scope)
        retrieval.vector_ids(user.pk, q, exact=True, **scope)

    exact, hnsw, hybrid, hybrid_lecture, text_only = [], [], [], [], []
    recall_at = {}
    truth = []
    for q, phrase in queries:
        ms, rows = timed(lambda q=q: retrieval.vector_ids(user.pk, q, exact=True, limit=retrieval.CANDIDATES, **scope))
        exact.append(ms)
        truth.append([r[0] for r in rows[:10]])
        hnsw.append(timed(lambda q=q: retrieval.vector_ids(user.pk, q, **scope))[0])
        hybrid.append(timed(lambda q=q, p=phrase: retrieval.search(user, p, query_vector=q, **scope))[0])
        text_only.append(timed(lambda p=phrase: retrieval.text_ids(user.pk, p, **scope))[0])
    lecture_id = lectures[0].pk
    for q, phrase in queries:
        hybrid_lecture.append(
            timed(lambda q=q, p=phrase: retrieval.search(user, p, query_vector=q, lecture_id=lecture_id))[0]
        )

    default_ef = retrieval.EF_SEARCH
    for ef in sorted({40, 64, 100, 200, 400, default_ef}):
        retrieval.EF_SEARCH = ef
        hits = 0
        for (q, _), expected in zip(queries, truth, strict=True):
            got = [r[0] for r in retrieval.vector_ids(user.pk, q, limit=10, **scope)]
            hits += len(set(got) & set(expected))
        recall_at[ef] = hits / (10 * len(queries))
    retrieval.EF_SEARCH = default_ef

    p95_exact = pct(exact, 95)
    print(f"  baseline exact scan (top {retrieval.CANDIDATES}):  {fmt(exact)}")
    print(
        f"  HNSW vector part (ef_search={default_ef}):      {fmt(hnsw)}   p95 ratio to exact {pct(hnsw, 95) / p95_exact:.3f}"
    )
    print(f"  full-text part:                         {fmt(text_only)}")
    print(
        f"  hybrid, subject scope ({n_mine:,} chunks):  {fmt(hybrid)}   p95 ratio to exact {pct(hybrid, 95) / p95_exact:.3f}"
    )
    print(f"  hybrid, one lecture ({CHUNKS_PER_LECTURE} chunks):      {fmt(hybrid_lecture)}")
    for ef, recall in recall_at.items():
        mark = " (default)" if ef == default_ef else ""
        print(f"  recall@10 HNSW vs exact, ef_search={ef:<3}{mark}: {recall:.3f}")
    ok_latency = pct(hybrid, 95) <= TARGET_P95_MS
    ok_recall = recall_at[default_ef] >= TARGET_RECALL
    print(
        f"  targets: hybrid p95 <= {TARGET_P95_MS:.0f} ms: {'met' if ok_latency else 'NOT met'}; "
        f"recall@10 >= {TARGET_RECALL}: {'met' if ok_recall else 'NOT met'}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help=f"keep the {BENCH_DB} database")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    texts = fixture_texts()
    vocabulary = np.array(sorted({w.lower() for t in texts for w in re.findall(r"[A-Za-z]{4,}", t)}))
    print(f"{len(texts)} fixture pages of text, {len(vocabulary)} distinct words; {os.cpu_count()} CPUs")
    started = time.perf_counter()
    db = setup_django()
    try:
        for n in args.sizes:
            # One generator per size: a size's figures do not depend on which other sizes ran before it.
            measure(n, args, np.random.default_rng([args.seed, n]), texts, vocabulary)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(db)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
