"""Soak: many students at once on the production server and a worker cluster for minutes; errors, latency, health
and memory growth.

A fresh database (``bench_soak`` on the embedded PostgreSQL or DATABASE_URL's server) gets one account per student
(a known password, hashed with the production Argon2) with a subject, a completed 8-page lecture (pages and
embedded chunks: the py4e Expressions deck's first pages, embedded once with the local model and reused) and 80
due flashcards. Then the processes ``make run`` starts serve it, DEBUG off: ``python -m smartnotes.serve``
(uvicorn) and ``manage.py qcluster`` (django-q2), with MEDIA_ROOT in a temporary folder.

Each simulated student (a thread with its own httpx client and its own X-Forwarded-For address, as students reach
a real server from their own machines; uvicorn trusts it from loopback) logs in through the login form (GET for
the CSRF cookie, POST the form), gets an API token (POST /api/v1/auth/token), then loops with 0.5-2 s think times:
subject list, subject page, lecture page, a page view, the review page and a grade posted as its HTMX form does,
a chat question through the JSON API (a new conversation now and then), and now and then an upload of a tiny
generated PDF or Markdown file through the endpoint the upload page's JS uses (the worker ingests it).

Warm-up: every student does one round of everything (so the embedding model is loaded in the web process and the
workers), the queue is drained, then the RSS of the web process and of each worker-cluster process (psutil, each
with its children) is taken; the timed run follows; the queue is drained again and the RSS taken again.
/healthz is polled every 2 s in its own thread from the warm-up to the end. Latencies are of the timed run only;
5xx and transport errors (a reset or a 30 s timeout) count in every phase. 429 (rate limits: CHAT_RATE_PER_MINUTE,
UPLOAD_RATE_PER_HOUR; the app's defaults unless --chat-rate / --upload-rate are given) are counted apart: they are
the app working, not errors.

Verdict: no 5xx or transport error, /healthz always 200, memory growth < 20 % for every process present at both
samples (a django-q2 worker recycled after 50 tasks is listed, not judged). Exits 1 when the first two fail (the
memory figure is reported).

Usage: .venv/bin/python bench/soak.py [--students 50] [--seconds 300] [--chat-rate N] [--upload-rate N] [--keep]
On a shared machine check it with --students 5 --seconds 40.
"""

import argparse
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict

import benchenv  # first: the repository importable, offline and quiet settings

ROOT = benchenv.ROOT
os.environ["DEBUG"] = "0"
BENCH_DB = "bench_soak"
os.environ["EMBEDDED_DB_NAME"] = BENCH_DB
MEDIA = tempfile.mkdtemp(prefix="bench-soak-media-")
os.environ["MEDIA_ROOT"] = MEDIA

from retrieval import drop_database, pct, setup_django  # noqa: E402

DECK = benchenv.FIXTURES / "lectures"
PASSWORD = "soak: correct horse battery staple"
LECTURE_PAGES = 8
DUE_CARDS = 80
MEMORY_GROWTH_LIMIT = 0.20
HEALTH_EVERY_S = 2.0
TIMEOUT_S = 30.0


# -- seed -------------------------------------------------------------------------------------------------


def seed(students: int):
    """The students' accounts and material; returns one dict per student."""
    from django.utils import timezone

    from apps.lectures.models import Chunk, LecturePage
    from smartnotes import ai
    from tests.factories import FlashcardFactory, LectureFactory, SubjectFactory, UserFactory

    out = subprocess.run(
        ["pdftotext", "-layout", str(DECK / "py4e_Pythonlearn-02-Expressions.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    texts = [" ".join(p.split()) for p in out.split("\f") if len(p.strip()) > 80][:LECTURE_PAGES]
    vectors = ai.embed_texts(texts)
    model_id = ai.embedding_model_id()
    started = time.perf_counter()
    seeded = []
    for n in range(students):
        user = UserFactory(username=f"soak{n}", email=f"soak{n}@example.org", password=PASSWORD)
        subject = SubjectFactory(user=user, name="Python")
        lecture = LectureFactory(
            owner=user, subject=subject, name="Expressions", status="completed", page_count=len(texts),
            processed_at=timezone.now(), embedding_model=model_id,
        )  # fmt: skip
        LecturePage.objects.bulk_create(
            LecturePage(lecture=lecture, number=i, text=t, method="text") for i, t in enumerate(texts, 1)
        )
        Chunk.objects.bulk_create(
            Chunk(owner=user, subject=subject, lecture=lecture, page=i, chunk_index=i - 1, text=t, embedding=v)
            for i, (t, v) in enumerate(zip(texts, vectors, strict=True), 1)
        )
        FlashcardFactory.create_batch(DUE_CARDS, lecture=lecture)
        seeded.append({"n": n, "login": user.username, "subject": subject.pk, "lecture": lecture.pk})
    print(f"seeded {students} students ({LECTURE_PAGES} pages, {DUE_CARDS} due cards each) in ", end="")
    print(f"{time.perf_counter() - started:.1f} s")
    return seeded


def queue_busy() -> int:
    """Lectures still waiting for or in ingestion, plus queued tasks."""
    from django_q.models import OrmQ

    from apps.lectures.models import Lecture

    return Lecture.objects.filter(status__in=["pending", "processing"]).count() + OrmQ.objects.count()


def uploads_by_status() -> dict:
    from django.db.models import Count

    from apps.lectures.models import Lecture

    rows = Lecture.objects.exclude(name="Expressions").values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def drain(timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not queue_busy():
            return True
        time.sleep(1)
    return False


# -- processes --------------------------------------------------------------------------------------------


def free_port() -> int:  # as bench/pages.py (importing it would point EMBEDDED_DB_NAME at its database)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(command: list[str], log, env: dict) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def wait_healthy(base: str, procs, log_name: str, timeout: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            raise SystemExit(f"the server or the worker exited early; see {log_name}")
        try:
            last = httpx.get(base + "/healthz", timeout=10)
            if last.status_code == 200:
                return
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.5)
    raise SystemExit(f"/healthz not 200 within {timeout:.0f} s (last: {last}); see {log_name}")


def rss_tree(pid: int) -> int:
    """Resident memory of a process and all its children, in bytes."""
    import psutil

    try:
        proc = psutil.Process(pid)
        family = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for member in family:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def memory(web: subprocess.Popen, cluster: subprocess.Popen) -> dict:
    """{label: RSS}: the web process and the whole cluster with their children, and each cluster process alone
    (the qcluster main process, its sentinel, monitor, pusher and workers; setproctitle names them)."""
    import psutil

    sample = {"web (uvicorn, incl. children)": rss_tree(web.pid), "worker cluster (all)": rss_tree(cluster.pid)}
    main = psutil.Process(cluster.pid)
    for member in [main, *main.children(recursive=True)]:
        try:
            role = "qcluster main" if member.pid == cluster.pid else f"child of {member.ppid()}"
            sample[f"  pid {member.pid} ({role})"] = member.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return sample


# -- load ------------------------------------------------------------------------------------------------


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = Counter()
        self.statuses = defaultdict(Counter)
        self.errors = Counter()
        self.latency = defaultdict(list)
        self.failures = []

    def record(self, kind: str, status: int | None, seconds: float, timed: bool, detail: str = ""):
        with self.lock:
            self.requests[kind] += 1
            if status is None:
                self.errors[kind] += 1
                self.failures.append(f"{kind}: {detail}")
                return
            self.statuses[kind][status] += 1
            if status >= 500:
                self.failures.append(f"{kind}: {status} {detail[:200]}")
            if timed:
                self.latency[kind].append(seconds * 1000)


class Student(threading.Thread):
    def __init__(self, seed_row: dict, base: str, stats: Stats, args, phase: dict):
        super().__init__(daemon=True, name=f"student-{seed_row['n']}")
        import httpx

        n = seed_row["n"]
        self.row = seed_row
        self.stats = stats
        self.args = args
        self.phase = phase
        self.rng = random.Random(n)
        address = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255 or 1}"
        self.http = httpx.Client(base_url=base, timeout=TIMEOUT_S, headers={"X-Forwarded-For": address})
        self.token = ""
        self.conversation = None
        self.uploads = 0
        self.warmed = threading.Event()

    # one request, recorded under ``kind``
    def call(self, kind: str, method: str, url: str, **kw):
        import httpx

        started = time.perf_counter()
        try:
            response = self.http.request(method, url, **kw)
        except httpx.HTTPError as exc:
            self.stats.record(kind, None, time.perf_counter() - started, False, f"{type(exc).__name__}: {exc}")
            return None
        self.stats.record(kind, response.status_code, time.perf_counter() - started, self.phase["timed"], url)
        return response

    def csrf(self) -> str:
        return self.http.cookies.get("csrftoken", "")

    def think(self):
        time.sleep(self.rng.uniform(0.5, 2.0))

    def log_in(self) -> bool:
        for _ in range(5):
            self.call("login form (GET)", "GET", "/accounts/login/")
            response = self.call(
                "login (POST)",
                "POST",
                "/accounts/login/",
                data={"login": self.row["login"], "password": PASSWORD, "csrfmiddlewaretoken": self.csrf()},
            )
            if response is not None and response.status_code == 302 and "login" not in response.headers["location"]:
                return True
            time.sleep(5)
        return False

    def get_token(self):
        body = {"login": self.row["login"], "password": PASSWORD, "device": "soak"}
        response = self.call("api token", "POST", "/api/v1/auth/token", json=body)
        if response is not None and response.status_code == 200:
            self.token = response.json()["access_token"]

    def api(self, kind: str, url: str, body: dict):
        response = self.call(kind, "POST", url, json=body, headers={"Authorization": f"Bearer {self.token}"})
        if response is not None and response.status_code == 401:  # the access token expired: a new one
            self.get_token()
            response = self.call(kind, "POST", url, json=body, headers={"Authorization": f"Bearer {self.token}"})
        return response

    def browse(self):
        lecture = self.row["lecture"]
        self.call("subject list", "GET", "/subjects/")
        self.think()
        self.call("subject page", "GET", f"/subjects/{self.row['subject']}/")
        self.think()
        self.call("lecture page", "GET", f"/lectures/{lecture}/")
        self.think()
        self.call("page view", "GET", f"/lectures/{lecture}/pages/{self.rng.randint(1, LECTURE_PAGES)}/")

    def review(self):
        response = self.call("review page", "GET", "/flashcards/review/")
        if response is None or response.status_code != 200:
            return
        card = re.search(r'name="card" value="(\d+)"', response.text)
        seen = re.search(r'name="seen" value="(\d+)"', response.text)
        if not (card and seen):
            return  # nothing due
        self.think()
        data = {
            "card": card.group(1),
            "seen": seen.group(1),
            "rating": str(self.rng.choice([1, 3, 3, 3, 4])),
            "duration_ms": str(self.rng.randint(2000, 9000)),
            "csrfmiddlewaretoken": self.csrf(),
        }
        self.call("review grade", "POST", "/flashcards/review/grade/", data=data, headers={"HX-Request": "true"})

    def chat(self, new: bool):
        if new or self.conversation is None:
            response = self.api(
                "chat: new conversation", "/api/v1/chat/conversations", {"lecture_id": self.row["lecture"]}
            )
            if response is None or response.status_code != 201:
                return
            self.conversation = response.json()["id"]
            self.think()
        question = (
            f"{self.rng.choice(benchenv.PY4E_QUESTIONS)} ({self.rng.randint(1, 10**6)})?"  # no two hit the answer cache
        )
        self.api("chat: question", f"/api/v1/chat/conversations/{self.conversation}/messages", {"question": question})

    def upload(self):
        from tests.factories import tiny_pdf

        self.uploads += 1
        label = f"Soak note {self.row['n']}-{self.uploads}"
        if self.rng.random() < 0.5:
            file = (f"soak-{self.uploads}.pdf", tiny_pdf(f"{label}: operators and expressions"), "application/pdf")
        else:
            text = f"# {label}\n\nAn expression combines values with operators; `//` is floor division.\n"
            file = (f"soak-{self.uploads}.md", text.encode(), "text/markdown")
        self.call(
            "upload",
            "POST",
            f"/lectures/upload/{self.row['subject']}/",
            files={"file": file},
            headers={"X-Requested-With": "XMLHttpRequest", "X-CSRFToken": self.csrf()},
        )

    def run(self):
        try:
            time.sleep(self.rng.uniform(0, 3))  # students do not all arrive in the same instant
            if not self.log_in():
                self.stats.record("login (POST)", None, 0, False, f"{self.row['login']} could not log in")
                return
            self.get_token()
            self.browse()
            self.review()
            self.chat(new=True)
            self.upload()
            self.warmed.set()
            self.phase["go"].wait()
            while not self.phase["stop"].is_set():
                self.think()
                self.browse()
                self.think()
                self.review()
                self.think()
                self.chat(new=self.rng.random() < 0.2)
                if self.rng.random() < 0.15:
                    self.think()
                    self.upload()
        finally:
            self.warmed.set()
            self.http.close()


def poll_health(base: str, stop_event: threading.Event, calls: list, t0: float):
    import httpx

    with httpx.Client(base_url=base, timeout=TIMEOUT_S) as client:
        while not stop_event.is_set():
            started = time.perf_counter()
            try:
                status = client.get("/healthz").status_code
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            calls.append((started - t0, status, (time.perf_counter() - started) * 1000))
            stop_event.wait(max(0.0, HEALTH_EVERY_S - (time.perf_counter() - started)))


# -- report -----------------------------------------------------------------------------------------------


def report(stats: Stats, health: list, before: dict, after: dict, ingested: dict, args, limits: str) -> int:
    print(
        f"\n{args.students} students, {args.seconds} s timed run, uvicorn (WEB_CONCURRENCY "
        f"{os.environ.get('WEB_CONCURRENCY', '1')}) + qcluster, DEBUG off; {limits}"
    )
    print(f"{'request':<26} {'count':>6} {'5xx':>4} {'err':>4} {'429':>4} {'other':>6} {'p50 ms':>8} {'p95 ms':>8}")
    for kind in stats.requests:
        codes = stats.statuses[kind]
        fivexx = sum(c for s, c in codes.items() if s >= 500)
        other = {s: c for s, c in codes.items() if s >= 400 and s != 429 and s < 500}
        times = stats.latency[kind]
        p50 = f"{statistics.median(times):8.0f}" if times else f"{'-':>8}"
        p95 = f"{pct(times, 95):8.0f}" if times else f"{'-':>8}"
        other_text = ",".join(f"{s}×{c}" for s, c in sorted(other.items())) or "0"
        print(
            f"{kind:<26} {stats.requests[kind]:>6} {fivexx:>4} {stats.errors[kind]:>4} {codes[429]:>4} "
            f"{other_text:>6} {p50} {p95}"
        )
    for failure in stats.failures[:20]:
        print(f"  failed: {failure}")
    print("uploaded files after the run: " + (", ".join(f"{n} {s}" for s, n in sorted(ingested.items())) or "none"))

    bad_health = [c for c in health if c[1] != 200]
    times = [c[2] for c in health]
    print(f"\n/healthz every {HEALTH_EVERY_S:.0f} s: {len(health)} calls, ", end="")
    print(f"p50 {statistics.median(times):.0f} ms, max {max(times):.0f} ms" if times else "none")
    for line in range(0, len(health), 8):
        print("  " + "  ".join(f"+{t:5.0f}s {s}" for t, s, _ in health[line : line + 8]))

    print(f"\n{'process (RSS incl. children)':<44} {'start MB':>9} {'end MB':>9} {'growth':>8}")
    growths = []
    for label in [*before, *(k for k in after if k not in before)]:
        start_mb, end_mb = before.get(label, 0) / 2**20, after.get(label, 0) / 2**20
        if label in before and label in after and before[label]:
            growth = (after[label] - before[label]) / before[label]
            growths.append((label, growth))
            print(f"{label:<44} {start_mb:9.1f} {end_mb:9.1f} {growth:+8.1%}")
        else:
            note = "recycled (not judged)" if label in before else "new (not judged)"
            print(f"{label:<44} {start_mb:9.1f} {end_mb:9.1f}  {note}")

    fivexx = sum(c for codes in stats.statuses.values() for s, c in codes.items() if s >= 500)
    errors = sum(stats.errors.values())
    worst = max(growths, key=lambda g: g[1]) if growths else ("-", 0.0)
    memory_ok = worst[1] < MEMORY_GROWTH_LIMIT
    ok = fivexx == 0 and errors == 0 and not bad_health and health
    print(
        f"\nverdict: {fivexx} 5xx, {errors} transport errors, /healthz "
        f"{'always 200' if health and not bad_health else f'{len(bad_health)} not 200'}, worst memory growth "
        f"{worst[1]:+.1%} ({worst[0]}; limit < {MEMORY_GROWTH_LIMIT:.0%}: {'met' if memory_ok else 'NOT met'}) "
        f"-> {'PASS' if ok and memory_ok else 'FAIL'}"
    )
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=300, help="length of the timed run")
    parser.add_argument("--chat-rate", type=int, help="CHAT_RATE_PER_MINUTE for the server (default: the app's)")
    parser.add_argument("--upload-rate", type=int, help="UPLOAD_RATE_PER_HOUR for the server (default: the app's)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()

    db = setup_django(BENCH_DB, cache_table=True)
    from django.conf import settings

    rows = seed(args.students)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if args.chat_rate:
        env["CHAT_RATE_PER_MINUTE"] = str(args.chat_rate)
    if args.upload_rate:
        env["UPLOAD_RATE_PER_HOUR"] = str(args.upload_rate)
    limits = (
        f"chat {env.get('CHAT_RATE_PER_MINUTE', settings.CHAT_RATE_PER_MINUTE)}/min, "
        f"uploads {env.get('UPLOAD_RATE_PER_HOUR', settings.UPLOAD_RATE_PER_HOUR)}/h per user"
        f"{' (raised for the bench)' if args.chat_rate or args.upload_rate else ' (the app defaults)'}"
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tempfile.NamedTemporaryFile("w+b", prefix="bench-soak-", suffix=".log", delete=False)  # noqa: SIM115
    print(f"server and worker log: {log.name}")
    web = start([sys.executable, "-m", "smartnotes.serve", "--host", "127.0.0.1", "--port", str(port)], log, env)
    cluster = start([sys.executable, "manage.py", "qcluster"], log, env)
    stats, health, done = Stats(), [], threading.Event()
    phase = {"timed": False, "go": threading.Event(), "stop": threading.Event()}
    try:
        wait_healthy(base, [web, cluster], log.name)
        t0 = time.perf_counter()
        poller = threading.Thread(target=poll_health, args=(base, done, health, t0), daemon=True)
        poller.start()
        students = [Student(row, base, stats, args, phase) for row in rows]
        for student in students:
            student.start()
        for student in students:
            student.warmed.wait()
        if not drain(300):
            print("warning: the queue did not drain within 300 s after the warm-up")
        before = memory(web, cluster)
        print(f"warm-up done in {time.perf_counter() - t0:.0f} s; timed run of {args.seconds} s")
        phase["timed"] = True
        phase["go"].set()
        time.sleep(args.seconds)
        phase["stop"].set()
        for student in students:
            student.join(TIMEOUT_S * 3)
        if not drain(300):
            print("warning: the queue did not drain within 300 s after the run")
        after = memory(web, cluster)
        ingested = uploads_by_status()
        done.set()
        poller.join(TIMEOUT_S)
        for proc, name in ((web, "server"), (cluster, "worker")):
            if proc.poll() is not None:
                print(f"the {name} exited during the run (code {proc.returncode}); see {log.name}")
                health.append((time.perf_counter() - t0, f"{name} exited", 0.0))
    finally:
        done.set()
        phase["go"].set()
        phase["stop"].set()
        stop(web)
        stop(cluster)
        log.close()
        if not args.keep:
            drop_database(db, BENCH_DB)
        shutil.rmtree(MEDIA, ignore_errors=True)
    return report(stats, health, before, after, ingested, args, limits)


if __name__ == "__main__":
    sys.exit(main())
