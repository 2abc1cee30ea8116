"""Speed of the logged-in pages through the real production server, against the anonymous landing page.

A fresh database (``bench_pages`` on the embedded PostgreSQL or DATABASE_URL's server) gets one student with
6 subjects of 6 lectures, a 35-page deck and a 352-page book (a full page of text each), a conversation of 20
messages with citations and 60 due cards. uvicorn serves the app (as ``make run`` does, DEBUG off, one process)
and ``wrk`` (apt: wrk) loads each page with the student's session cookie; every page run is paired with a run of
the landing page just before it, so the ratio compares like with like on a shared, noisy machine.

Target: every logged-in page at ≥ 0.8 of the landing page's rate. Exits 0 whatever the rates (reported, not
enforced); exits 1 when a page answers anything but 200.

Usage: .venv/bin/python bench/pages.py [--seconds 8] [--rounds 2] [--connections 8]
"""

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import benchenv  # first: the repository importable, offline and quiet settings

ROOT = benchenv.ROOT
os.environ["DEBUG"] = "0"
BENCH_DB = "bench_pages"
os.environ["EMBEDDED_DB_NAME"] = BENCH_DB

from retrieval import setup_django  # noqa: E402

TARGET_RATIO = 0.8
PAGE_TEXT = (
    "Dynamic programming solves a problem by combining the answers of overlapping subproblems, each computed "
    "once and stored in a table. "
) * 12


def build():
    from django.test import Client

    from apps.chat.models import Conversation, Message
    from apps.lectures.models import LecturePage
    from tests.factories import FlashcardFactory, LectureFactory, SubjectFactory, UserFactory

    user = UserFactory()

    def lecture(subject, name, pages):
        made = LectureFactory(owner=user, subject=subject, name=name, status="completed", page_count=pages)
        LecturePage.objects.bulk_create(
            LecturePage(lecture=made, number=n, text=f"Page {n}. {PAGE_TEXT}", method="text")
            for n in range(1, pages + 1)
        )
        return made

    subjects = [SubjectFactory(user=user, name=f"Subject {s}") for s in range(6)]
    for subject in subjects:
        for n in range(6):
            FlashcardFactory.create_batch(2, lecture=lecture(subject, f"{subject.name} · lecture {n}", 3))
    deck = lecture(subjects[0], "Algorithms deck", 35)
    book = lecture(subjects[0], "Algorithms book", 352)
    FlashcardFactory.create_batch(36, lecture=deck)
    conversation = Conversation.objects.create(owner=user, subject=subjects[0], lecture=deck, title="Revision")
    for n in range(10):
        Message.objects.create(conversation=conversation, role="user", content=f"What is step {n} of the method?")
        cited = {"lecture_id": deck.pk, "lecture_name": deck.name, "page": n + 1, "snippet": PAGE_TEXT[:120]}
        Message.objects.create(
            conversation=conversation,
            role="assistant",
            content=f"Step {n} stores the subproblem's answer [{deck.name}, p. {n + 1}].",
            citations=[cited],
        )
    client = Client()
    client.force_login(user)
    pages = {
        "subject list": "/subjects/",
        "subject page": f"/subjects/{subjects[0].pk}/",
        "lecture page (35 pages)": f"/lectures/{deck.pk}/",
        "lecture page (352 pages)": f"/lectures/{book.pk}/",
        "chat page": f"/chat/{conversation.pk}/",
        "review page": "/flashcards/review/",
        "dashboard": "/study/",
    }
    return client.cookies["sessionid"].value, pages


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, log) -> subprocess.Popen:
    command = [sys.executable, "-m", "uvicorn", "smartnotes.asgi:application", "--lifespan", "off"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    proc = subprocess.Popen(command, cwd=ROOT, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited early; see {log.name}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"the server did not listen within 60 s; see {log.name}")


def status_of(url: str, cookie: str) -> int:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def wrk(url: str, cookie: str, args) -> float:
    command = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: sessionid={cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in out:
        raise SystemExit(f"{url}: some responses were not 2xx/3xx:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=8, help="seconds of load per run")
    parser.add_argument("--rounds", type=int, default=2, help="paired runs per page (the median is reported)")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")

    setup_django(BENCH_DB, cache_table=True)
    cookie, pages = build()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.NamedTemporaryFile("w+b", prefix="bench-pages-", suffix=".log", delete=False) as log:
        server = start_server(port, log)
        try:
            failed = {name: code for name, path in pages.items() if (code := status_of(base + path, cookie)) != 200}
            if failed or status_of(base + "/", "") != 200:
                print(f"pages not answering 200: {failed}; see {log.name}")
                return 1
            for path in ["/", *pages.values()]:  # warm-up: templates compiled, connections open
                wrk(base + path, cookie if path != "/" else "", argparse.Namespace(**{**vars(args), "seconds": 2}))
            print(f"uvicorn, 1 process, DEBUG off; wrk -t2 -c{args.connections}, {args.seconds} s per run, ", end="")
            print(f"{args.rounds} paired rounds (median)")
            print(f"{'page':<28} {'req/s':>8} {'landing req/s':>14} {'ratio':>6}")
            worst = None
            for name, path in pages.items():
                rates, landing = [], []
                for _ in range(args.rounds):
                    landing.append(wrk(base + "/", "", args))
                    rates.append(wrk(base + path, cookie, args))
                ratio = statistics.median(r / lr for r, lr in zip(rates, landing, strict=True))
                worst = ratio if worst is None else min(worst, ratio)
                print(f"{name:<28} {statistics.median(rates):8.0f} {statistics.median(landing):14.0f} {ratio:6.2f}")
            print(f"worst ratio {worst:.2f} (target ≥ {TARGET_RATIO}): {'met' if worst >= TARGET_RATIO else 'NOT met'}")
        finally:
            server.terminate()
            server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
