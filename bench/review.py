"""Flashcard review at scale: the due-queue selectors and one grade round trip (POST -> next card HTML) for a
user with 100k cards among 1M, against a primary-key fetch of one card timed in the same run.

Data lives in its own database (``bench_review``, or BENCH_REVIEW_DB, on the embedded PostgreSQL or
DATABASE_URL's server) and is kept and reused across runs when it already holds the requested rows (the output
says so; --rebuild drops it and builds it again; a different --cards / --user-cards rebuilds it too). A build
is one ``INSERT … SELECT generate_series`` into flashcards_flashcard (secondary indexes dropped first and
rebuilt afterwards, all in one transaction), rows physically shuffled so one user's cards are spread over the
whole table as they would be after months of use by many students, then VACUUM ANALYZE. Shape of every
user's collection: ~10 % new cards, ~3 % suspended, reviewed cards mostly due in the next months with ~12 %
overdue (up to three weeks), one review-log row per reviewed card, a year of past study sittings.

Measured, each as p50/p95 over --repeat rounds (every case once per round, in a shuffled order):

* the due-queue selectors ``next_cards`` (reviews due; and with no review due, new cards) and
  ``queue_counts``, for all subjects and for one subject;
* a grade round trip through the real Django stack: ``django.test.Client`` (logged in with force_login) POSTs
  the shown card's grade to ``flashcards:grade`` with ``HX-Request`` and gets the next card's fragment (for
  all subjects, for one subject, and for the 1k-card user), with the Python CPU time it took;
* baseline: ``Flashcard.objects.get(pk=…)`` of a random card of the user.

The number of queries per round trip (CaptureQueriesContext) is compared between a 1k-card user and the
100k-card user: it must be the same. The grades are undone at the end (card state restored from the review
logs' snapshots, logs and sittings of the run deleted), so the next run starts from the same queue.
Exits 0 whatever the latency (the target is reported, not enforced); exits 1 when the query count differs.

Usage: .venv/bin/python bench/review.py [--repeat 200] [--cards 1000000] [--user-cards 100000] [--rebuild]
       [--explain]
"""

import argparse
import os
import random
import re
import statistics
import sys
import time

import benchenv  # noqa: F401 - first, for its effects: the repository importable, offline and quiet settings

os.environ.setdefault("DEBUG", "0")  # production-like: no debug query log, cached templates
# Its own database, always: a rebuild drops it, so it must never be the app's (whatever EMBEDDED_DB_NAME says).
BENCH_DB = os.environ.get("BENCH_REVIEW_DB", "bench_review")
if not BENCH_DB.startswith("bench_"):
    raise SystemExit(f"BENCH_REVIEW_DB={BENCH_DB!r}: the benchmark database's name must start with bench_")
os.environ["EMBEDDED_DB_NAME"] = BENCH_DB

from retrieval import admin_connect, pct  # noqa: E402

TARGET_P95_MS = 20.0
SMALL_CARDS = 1_000
OTHER_USERS = 90
BENCH_SUBJECTS, BENCH_LECTURES_PER_SUBJECT = 4, 10
SMALL_ROUND_TRIPS = 60
BASELINE = "baseline Flashcard.objects.get(pk=…)"
RATINGS = (2, 3, 3, 3, 4)  # Hard/Good/Easy: a graded card leaves today's queue, the next one comes up


def fmt(values):
    return f"p50 {statistics.median(values):7.2f} ms   p95 {pct(values, 95):7.2f} ms"


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


# -- database ---------------------------------------------------------------------------------------------


def setup_django(args):
    """Point Django at the bench database (created if missing), drop it first when it must be rebuilt."""
    from django.conf import settings

    db = dict(settings.DATABASES["default"])  # importing the settings starts the embedded server if needed
    for alias in ("default", "channels_postgres"):
        if alias in settings.DATABASES:
            settings.DATABASES[alias]["NAME"] = BENCH_DB
    layer = settings.CHANNEL_LAYERS.get("default", {}).get("CONFIG", {})
    if "NAME" in layer:
        layer["NAME"] = BENCH_DB
    with admin_connect(db) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if exists and (args.rebuild or not has_rows(db, args)):
            conn.execute(f'DROP DATABASE "{BENCH_DB}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    print(f"database {BENCH_DB}: migrated in {time.perf_counter() - started:.1f} s")


def has_rows(db, args) -> bool:
    """Whether the bench database already holds a build for these --cards / --user-cards."""
    import psycopg

    try:
        with psycopg.connect(
            dbname=BENCH_DB, user=db.get("USER") or None, password=db.get("PASSWORD") or None,
            host=db.get("HOST") or None, port=db.get("PORT") or None,
        ) as conn:  # fmt: skip
            row = conn.execute("SELECT cards, user_cards FROM bench_review_meta").fetchone()
            if row != (args.cards, args.user_cards):
                return False
            return conn.execute("SELECT count(*) FROM flashcards_flashcard").fetchone()[0] == args.cards
    except psycopg.Error:
        return False


# -- data -------------------------------------------------------------------------------------------------


def existing_build():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_review_meta')")
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute("SELECT cards, user_cards, built_at, build_seconds FROM bench_review_meta")
        return cursor.fetchone()


def build(args):
    """Users, subjects, lectures, then every card in one INSERT … SELECT generate_series."""
    from django.contrib.auth import get_user_model
    from django.db import DatabaseError, connection, transaction
    from django.utils import timezone

    from apps.lectures.models import Lecture
    from apps.subjects.models import Subject

    started = time.perf_counter()
    User = get_user_model()
    bench = User.objects.create(username="bench", email="bench@example.org")
    small = User.objects.create(username="small", email="small@example.org")
    others = User.objects.bulk_create(
        [User(username=f"other{i}", email=f"other{i}@example.org") for i in range(OTHER_USERS)]
    )
    # (owner, subject count, lectures per subject, cards)
    plan = [(bench, BENCH_SUBJECTS, BENCH_LECTURES_PER_SUBJECT, args.user_cards), (small, 2, 2, SMALL_CARDS)]
    rest = args.cards - args.user_cards - SMALL_CARDS
    if rest < 0:
        raise SystemExit(f"--cards must be at least --user-cards + {SMALL_CARDS}")
    for i, other in enumerate(others):
        plan.append((other, 1, 2, rest // OTHER_USERS + (1 if i < rest % OTHER_USERS else 0)))

    slots = []  # (owner_id, subject_id, lecture_id, first card number, cards)
    for owner, n_subjects, n_lectures, n_cards in plan:
        subjects = Subject.objects.bulk_create(
            [Subject(user=owner, name=f"Subject {s + 1}") for s in range(n_subjects)]
        )
        lectures = Lecture.objects.bulk_create(
            [
                Lecture(owner=owner, subject=subj, name=f"{subj.name} week {w + 1}", original_filename="week.pdf",
                        file_type="pdf", status="completed", page_count=40, processed_at=timezone.now())
                for subj in subjects
                for w in range(n_lectures)
            ]
        )  # fmt: skip
        per = len(lectures)
        for i, lec in enumerate(lectures):
            count = n_cards // per + (1 if i < n_cards % per else 0)
            slots.append((owner.pk, lec.subject_id, lec.pk, count))

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SELECT setseed(0.42)")
        # The rows reference the users, subjects and lectures just made: skip the foreign-key triggers (3M
        # look-ups) where allowed (superuser, as on the embedded server). Otherwise check them at the end of the
        # INSERT rather than at COMMIT (Django's are DEFERRABLE INITIALLY DEFERRED, and CREATE INDEX refuses to
        # run with pending trigger events).
        try:
            with transaction.atomic():
                cursor.execute("SET LOCAL session_replication_role = replica")
            fk_note = "foreign-key triggers skipped"
        except DatabaseError:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            fk_note = "foreign keys checked"
        cursor.execute(
            """SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
               WHERE x.indrelid = 'flashcards_flashcard'::regclass AND NOT x.indisprimary
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"""
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(
            "CREATE TEMP TABLE bench_slots (owner_id bigint, subject_id bigint, lecture_id bigint, cards int)"
        )
        cursor.executemany("INSERT INTO bench_slots VALUES (%s, %s, %s, %s)", slots)
        t_insert = time.perf_counter()
        # r[1]: new (10 %); r[2]: suspended (3 %); r[3]: overdue (12 % of reviewed) or when in the next six
        # months (squared: more cards soon than late); r[4]: card type; r[5]: age; r[6]: FSRS state.
        cursor.execute(
            """
            INSERT INTO flashcards_flashcard (
                created_at, updated_at, owner_id, subject_id, lecture_id, card_type, question, answer, options,
                source_page, figure_id, tags, origin, dedup_key, edited, guid, suspended, due_at, last_reviewed_at,
                review_count, repetitions, interval_days, ease_factor, fsrs_state, fsrs_step, stability,
                difficulty, metadata)
            SELECT
                created, created, owner_id, subject_id, lecture_id,
                CASE WHEN r[4] < 0.15 THEN 'cloze' WHEN r[4] < 0.20 THEN 'multiple_choice' ELSE 'basic' END,
                CASE WHEN r[4] < 0.15
                     THEN 'The {{c1::' || substr(h, 1, 8) || '}} operator of topic ' || (k % 97) || ' binds tighter than ' || substr(h, 9, 6) || '.'
                     ELSE 'Card ' || k || ': what does ' || substr(h, 1, 10) || ' mean in the context of topic ' || (k % 97) || '?' END,
                'It means ' || substr(h, 11, 12) || ', as explained on the slide about ' || substr(h, 23, 10) || ' (see the worked example).',
                CASE WHEN r[4] >= 0.15 AND r[4] < 0.20 THEN '["alpha", "beta", "gamma", "delta"]'::jsonb ELSE '[]'::jsonb END,
                1 + k % 40, NULL, ARRAY['topic' || (k % 20), 'week' || (k % 12)]::varchar(40)[],
                'generated', h, false, '', r[2] < 0.03,
                CASE WHEN is_new THEN NULL
                     WHEN r[3] < 0.12 THEN now() - r[7] * interval '21 days'
                     ELSE now() + r[7] * r[7] * interval '180 days' + interval '1 minute' END,
                CASE WHEN is_new THEN NULL ELSE LEAST(now() - interval '1 hour', created + interval '1 day' + r[5] * (now() - created)) END,
                CASE WHEN is_new THEN 0 ELSE 1 + (r[6] * 12)::int END,
                CASE WHEN is_new THEN 0 ELSE 1 + (r[6] * 8)::int END,
                CASE WHEN is_new THEN 0 ELSE 1 + (r[7] * 90)::int END,
                CASE WHEN is_new THEN 2.5 ELSE 1.3 + r[6] * 1.5 END,
                CASE WHEN is_new THEN 1 WHEN r[6] < 0.05 THEN 3 ELSE 2 END,
                CASE WHEN is_new THEN 0 WHEN r[6] < 0.05 THEN 0 ELSE NULL END,
                CASE WHEN is_new THEN NULL ELSE 1 + r[7] * 90 END,
                CASE WHEN is_new THEN NULL ELSE 1 + r[5] * 9 END,
                '{}'::jsonb
            FROM (
                SELECT s.owner_id, s.subject_id, s.lecture_id, g AS k, md5(s.lecture_id || ':' || g) AS h, r,
                       r[1] < 0.10 AS is_new, now() - interval '365 days' * r[5] AS created
                FROM bench_slots s
                CROSS JOIN LATERAL generate_series(1, s.cards) AS g
                CROSS JOIN LATERAL (SELECT ARRAY[random(), random(), random(), random(), random(), random(), random()]
                                    || g::float8 AS r) AS rr
                ORDER BY random()
            ) AS cards
            """
        )
        insert_s = time.perf_counter() - t_insert
        t_index = time.perf_counter()
        for _, definition in indexes:
            cursor.execute(definition)
        index_s = time.perf_counter() - t_index
        # One review-log row per reviewed card of the two measured users; a year of past sittings.
        cursor.execute(
            """
            INSERT INTO flashcards_reviewlog (card_id, owner_id, algorithm, rating, reviewed_at, duration_ms,
                due_before, due_after, interval_days, was_new, state, stability, difficulty, previous, session_id)
            SELECT id, owner_id, 'fsrs', 3, last_reviewed_at, 8000, NULL, due_at, interval_days, false, fsrs_state,
                   stability, difficulty, '{}'::jsonb, NULL
            FROM flashcards_flashcard WHERE owner_id IN (%s, %s) AND last_reviewed_at IS NOT NULL
            """,
            [bench.pk, small.pk],
        )
        cursor.execute(
            """
            INSERT INTO study_studysession (user_id, subject_id, lecture_id, session_type, duration, score,
                items_completed, started_at, ended_at, archived, metadata)
            SELECT u, NULL, NULL, 'flashcards', 1200, NULL, 40, now() - d * interval '1 day' - interval '2 hours',
                   now() - d * interval '1 day' - interval '100 minutes', false, '{"rating_sum": 120}'::jsonb
            FROM unnest(ARRAY[%s, %s]::bigint[]) AS u CROSS JOIN generate_series(1, 365) AS d
            """,
            [bench.pk, small.pk],
        )
        cursor.execute(
            "CREATE TABLE bench_review_meta (cards int, user_cards int, built_at timestamptz, build_seconds float)"
        )
        cursor.execute(
            "INSERT INTO bench_review_meta VALUES (%s, %s, now(), %s)",
            [args.cards, args.user_cards, time.perf_counter() - started],
        )
    t_analyze = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE flashcards_flashcard")
        cursor.execute("VACUUM ANALYZE flashcards_reviewlog")
        cursor.execute("VACUUM ANALYZE study_studysession")
    analyze_s = time.perf_counter() - t_analyze
    total = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("UPDATE bench_review_meta SET build_seconds = %s", [total])
    print(
        f"built {args.cards:,} cards ({args.user_cards:,} for the measured user, {SMALL_CARDS:,} for a small one, "
        f"the rest over {OTHER_USERS} others) in {total:.1f} s: INSERT … SELECT {insert_s:.1f} s, "
        f"{len(indexes)} indexes {index_s:.1f} s, VACUUM ANALYZE {analyze_s:.1f} s ({fk_note})"
    )


def describe_data(user, subject):
    from django.db.models import Count, Q
    from django.utils import timezone

    from apps.flashcards.models import Flashcard

    now = timezone.now()
    for label, owner_filter in (("measured user", Q(owner=user)), (f"  its {subject.name}", Q(subject=subject))):
        c = Flashcard.objects.filter(owner_filter).aggregate(
            total=Count("pk"),
            new=Count("pk", filter=Q(due_at__isnull=True, suspended=False)),
            due=Count("pk", filter=Q(due_at__lte=now, suspended=False)),
            suspended=Count("pk", filter=Q(suspended=True)),
        )
        print(
            f"  {label}: {c['total']:,} cards, {c['due']:,} reviews due now, {c['new']:,} new, "
            f"{c['suspended']:,} suspended"
        )


# -- measurements ---------------------------------------------------------------------------------------------


class Reviewer:
    """A logged-in htmx client on the review page, grading whatever card the last fragment showed."""

    def __init__(self, user, subject=None):
        from django.test import Client
        from django.urls import reverse

        self.client = Client(HTTP_HOST="localhost")
        self.client.force_login(user)
        self.url = reverse("flashcards:grade")
        self.subject = subject
        query = f"?subject={subject.pk}" if subject else ""
        response = self.client.get(reverse("flashcards:review") + query, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, response.status_code
        self.html = response.content.decode()
        self.rng = random.Random(7)
        self.cpu_ms = []

    def shown(self):
        card = re.search(r'name="card" value="(\d+)"', self.html)
        seen = re.search(r'name="seen" value="(\d+)"', self.html)
        assert card and seen, "the review fragment shows no card (the queue ran dry)"
        return card.group(1), seen.group(1)

    def grade(self):
        card, seen = self.shown()
        data = {"card": card, "seen": seen, "rating": str(self.rng.choice(RATINGS)), "duration_ms": "6400"}
        if self.subject is not None:
            data["subject"] = str(self.subject.pk)
        cpu = time.process_time()
        response = self.client.post(self.url, data, HTTP_HX_REQUEST="true")
        self.cpu_ms.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200, response.status_code
        self.html = response.content.decode()
        assert 'id="review-card"' in self.html and "already graded" not in self.html
        return self.html


def measure(user, small, profile, subject, repeat, rng, warmup=10):
    """Every case once per round, in a shuffled order, for ``repeat`` rounds: load on this shared machine
    drifts, and this way it hits the baseline and the measured cases alike."""
    from datetime import timedelta

    from apps.flashcards import selectors
    from apps.flashcards.models import Flashcard

    first_due = (
        Flashcard.objects.filter(owner=user, due_at__isnull=False).order_by("due_at").values_list("due_at", flat=True)
    )[:1][0]
    early = first_due - timedelta(minutes=1)  # nothing due yet: the queue is new cards
    ids = list(Flashcard.objects.filter(owner=user).values_list("pk", flat=True)[:50_000])
    pks = iter(rng.choices(ids, k=repeat + warmup))
    reviewers = {
        "all subjects": Reviewer(user),
        "one subject": Reviewer(user, subject),
        f"all subjects, {SMALL_CARDS:,}-card user": Reviewer(small),
    }
    cases = {
        BASELINE: lambda: Flashcard.objects.get(pk=next(pks)),
        "next_cards, all subjects": lambda: selectors.next_cards(user, profile, limit=1),
        "next_cards, one subject": lambda: selectors.next_cards(user, profile, subject=subject, limit=1),
        "next_cards, no review due (new cards)": lambda: selectors.next_cards(user, profile, now=early, limit=1),
        "next_cards, one subject, no review due": lambda: selectors.next_cards(
            user, profile, subject=subject, now=early, limit=1
        ),
        "queue_counts, all subjects": lambda: selectors.queue_counts(user, profile),
        "queue_counts, one subject": lambda: selectors.queue_counts(user, profile, subject=subject),
        **{f"grade round trip, {name}": r.grade for name, r in reviewers.items()},
    }
    # The small user has ~100 reviews due and 20 new cards a day: grade fewer times than it has cards.
    rounds = {name: repeat for name in cases}
    rounds[f"grade round trip, all subjects, {SMALL_CARDS:,}-card user"] = min(repeat, SMALL_ROUND_TRIPS)
    for fn in cases.values():
        for _ in range(warmup):
            fn()
    for r in reviewers.values():
        r.cpu_ms.clear()
    samples = {name: [] for name in cases}
    names = list(cases)
    for i in range(repeat):
        rng.shuffle(names)
        for name in names:
            if i < rounds[name]:
                samples[name].append(timed(cases[name])[0])
    cpu = {f"grade round trip, {name}": r.cpu_ms for name, r in reviewers.items()}
    return samples, cpu


def queries_per_round_trip(user, subject=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    reviewer = Reviewer(user, subject)
    reviewer.grade()  # the first grade opens the sitting (one INSERT more); count a later one
    with CaptureQueriesContext(connection) as ctx:
        reviewer.grade()
    return ctx.captured_queries


def explain(user, profile, subject):
    """EXPLAIN (ANALYZE, BUFFERS) of every query of one round trip, for finding out why one is slow."""
    from django.db import connection

    captured = queries_per_round_trip(user, subject)
    with connection.cursor() as cursor:
        for q in captured:
            sql = q["sql"]
            if not sql.lstrip().upper().startswith("SELECT") or "FOR UPDATE" in sql.upper():
                print(f"\n-- {float(q['time']) * 1000:.2f} ms  {sql[:160]}")
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            print(f"\n-- {float(q['time']) * 1000:.2f} ms  {sql[:300]}")
            for (line,) in cursor.fetchall():
                print("   " + line)


def undo_run(since_log_pk, since_session_pk):
    """Put every card graded in this run back as it was (from the logs' snapshots) and drop the run's rows."""
    from django.db import transaction

    from apps.flashcards import reviewing
    from apps.flashcards.models import Flashcard, ReviewLog
    from apps.study.models import StudySession

    with transaction.atomic():
        logs = list(ReviewLog.objects.filter(pk__gt=since_log_pk).order_by("-pk"))
        cards = {c.pk: c for c in Flashcard.objects.filter(pk__in={log.card_id for log in logs})}
        for log in logs:  # newest first: a card graded twice ends with its oldest snapshot
            card = cards[log.card_id]
            reviewing._restore(card, log.previous)
            card.review_count -= 1
        Flashcard.objects.bulk_update(list(cards.values()), [*reviewing.STATE_FIELDS, "review_count"], batch_size=500)
        ReviewLog.objects.filter(pk__gt=since_log_pk).delete()
        StudySession.objects.filter(pk__gt=since_session_pk).delete()
    return len(logs), len(cards)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--cards", type=int, default=1_000_000)
    parser.add_argument("--user-cards", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true", help="build the data even when the database has it")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each query of one round trip")
    args = parser.parse_args()

    started = time.perf_counter()
    setup_django(args)
    from django.contrib.auth import get_user_model
    from django.db import connection

    from apps.flashcards import reviewing
    from apps.flashcards.models import ReviewLog
    from apps.study.models import StudySession
    from apps.subjects.models import Subject

    print(f"{os.cpu_count()} CPUs; PostgreSQL {connection.cursor().connection.info.server_version}")
    meta = existing_build()
    if meta is None:
        build(args)
    else:
        cards, user_cards, built_at, build_seconds = meta
        print(
            f"reusing the data built at {built_at:%Y-%m-%d %H:%M} UTC ({cards:,} cards, {user_cards:,} for the "
            f"measured user; the build took {build_seconds:.0f} s; --rebuild to build it again)"
        )
    User = get_user_model()
    user, small = User.objects.get(username="bench"), User.objects.get(username="small")
    subject = Subject.objects.filter(user=user).order_by("pk").first()
    profile = reviewing.profile_of(user)
    describe_data(user, subject)

    last_log = ReviewLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    last_session = StudySession.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    load_before = os.getloadavg()
    try:
        if args.explain:
            explain(user, profile, subject)
        samples, cpu = measure(user, small, profile, subject, args.repeat, random.Random(42))
        counts = {}
        for label, who, scope in (
            (f"{SMALL_CARDS:,} cards, all subjects", small, None),
            (f"{args.user_cards:,} cards, all subjects", user, None),
            (f"{SMALL_CARDS:,} cards, one subject", small, Subject.objects.filter(user=small).order_by("pk").first()),
            (f"{args.user_cards:,} cards, one subject", user, subject),
        ):
            counts[label] = queries_per_round_trip(who, scope)
    finally:
        graded, restored = undo_run(last_log, last_session)
    load_after = os.getloadavg()

    base = samples.pop(BASELINE)
    p50_base, p95_base = statistics.median(base), pct(base, 95)
    print(
        f"\n{args.repeat} rounds (after 10 warm-up calls each), every case once per round in a shuffled order; "
        f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after"
    )
    print(f"  {BASELINE:<52}{fmt(base)}   ratio p50 / p95")
    for name, values in samples.items():
        line = f"  {name:<52}{fmt(values)}   {statistics.median(values) / p50_base:5.1f} / {pct(values, 95) / p95_base:5.1f}"
        if name in cpu:
            line += f"   (Python CPU p50 {statistics.median(cpu[name]):.1f} ms, n={len(values)})"
        print(line)
    trips = {name: v for name, v in samples.items() if name.startswith("grade round trip") and "-card user" not in name}
    worst_name = max(trips, key=lambda name: pct(trips[name], 95))
    worst = pct(trips[worst_name], 95)
    small_trip = samples[f"grade round trip, all subjects, {SMALL_CARDS:,}-card user"]
    print(
        f"  round trip at {args.user_cards:,} vs {SMALL_CARDS:,} cards (all subjects): p50 ratio "
        f"{statistics.median(samples['grade round trip, all subjects']) / statistics.median(small_trip):.2f}"
    )
    print(
        f"  target: round trip p95 <= {TARGET_P95_MS:.0f} ms at {args.user_cards:,} cards: "
        f"{'met' if worst <= TARGET_P95_MS else 'NOT met'} (worst: {worst_name[len('grade round trip, ') :]}, p95 {worst:.2f} ms)"
    )

    print("\nqueries per grade round trip (CaptureQueriesContext; BEGIN and COMMIT included)")
    for label, captured in counts.items():
        print(f"  {label:<34} {len(captured)}")
    labels = list(counts)
    ok_queries = all(len(counts[labels[a]]) == len(counts[labels[b]]) for a, b in ((0, 1), (2, 3)))
    print(
        "  constant: the same number at 1k and at 100k cards"
        if ok_queries
        else "  NOT constant: the number of queries grows with the collection"
    )
    print("  " + ", ".join(short(q["sql"]) for q in counts[labels[1]]))
    print(f"\nundid the run's {graded} grades ({restored} cards restored); total {time.perf_counter() - started:.0f} s")
    connection.close()
    sys.exit(0 if ok_queries else 1)


def short(sql):
    """``SELECT django_session`` for a query: its verb and first table."""
    verb = sql.split(None, 1)[0].upper()
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"', sql)
    return f"{verb} {table.group(1)}" if table else verb


if __name__ == "__main__":
    main()
