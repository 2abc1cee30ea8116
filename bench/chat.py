"""Chat relay speed: app-side time to first token and streamed tokens per second, against the fake model's
own figures measured with the openai client in the same run.

The fake OpenAI server (tests/fake_openai) runs in its own process and answers at once. The app runs
in-process: the real ASGI application (origin check, session auth, routing, ChatConsumer) driven by
channels' WebsocketCommunicator, on a throwaway database (``bench_chat``) holding one real lecture (the py4e
Expressions deck's pages, embedded with the local model). Each question goes through everything a real one
does: rate limit, cache lookup (a miss: every question differs), embedding the question, hybrid retrieval,
relevance check, prompt, the model stream, the websocket frames (the HTML fragments the page swaps).

* time to first token: from sending the question on the websocket to receiving the first token fragment;
  baseline: from sending the same prompt with the openai client to its first content delta.
* relay throughput: a ~2,000-token answer, tokens per second from first to last token at the socket;
  baseline: the openai client reading the same answer straight from the fake server.

Prints p50/p95 and ratios; exits 0 whatever the figures (the 150 ms target is reported, not enforced).
Usage: .venv/bin/python bench/chat.py [--questions 50] [--keep]
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time

import benchenv  # first: the repository importable, offline and quiet settings

ROOT = benchenv.ROOT
os.environ["CHAT_RATE_PER_MINUTE"] = "1000000"  # the benchmark asks faster than a student may

from retrieval import drop_database, fixture_texts, pct, setup_django  # noqa: E402

BENCH_DB = "bench_chat"
DECK = benchenv.FIXTURES / "lectures"
TARGET_P95_MS = 150.0
LONG_WORDS = 2000

FAKE_SERVER = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from tests.fake_openai import FakeOpenAIServer
LONG = " ".join(f"word{i}" for i in range(int(sys.argv[2])))
def reply(messages):
    last = messages[-1]["content"] if messages else ""
    return LONG if "LONG ANSWER" in last else "Operator precedence decides the order [Deck, p. 19]. It is simple."
server = FakeOpenAIServer().start()
server.reply = reply
print(server.base_url, flush=True)
while True:
    time.sleep(3600)
"""


def start_fake_server():
    proc = subprocess.Popen(
        [sys.executable, "-c", FAKE_SERVER, str(ROOT), str(LONG_WORDS)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    base_url = proc.stdout.readline().strip()
    if not base_url.startswith("http"):
        proc.kill()
        raise SystemExit("the fake OpenAI server did not start")
    return proc, base_url


def fmt(values):
    return f"p50 {statistics.median(values):7.2f} ms   p95 {pct(values, 95):7.2f} ms"


def seed():
    """A user, a subject, a lecture made of the deck's pages (embedded), a conversation, a session cookie."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from apps.chat import services
    from apps.lectures.models import Chunk, Lecture, LecturePage
    from apps.subjects.models import Subject
    from smartnotes import ai

    pdf = DECK / "py4e_Pythonlearn-02-Expressions.pdf"
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = [" ".join(p.split()) for p in out.split("\f") if p.strip()]
    user = get_user_model().objects.create(username="bench", email="bench@example.org")
    subject = Subject.objects.create(user=user, name="Python")
    lecture = Lecture.objects.create(
        owner=user, subject=subject, name="Deck", original_filename="deck.pdf", file_type="pdf", status="completed",
        page_count=len(pages), processed_at=timezone.now(), embedding_model=ai.embedding_model_id(),
    )  # fmt: skip
    LecturePage.objects.bulk_create(
        [LecturePage(lecture=lecture, number=i, text=t, method="text") for i, t in enumerate(pages, 1)]
    )
    vectors = ai.embed_texts(pages)
    Chunk.objects.bulk_create(
        [
            Chunk(
                owner=user,
                subject=subject,
                lecture=lecture,
                page=i,
                chunk_index=i - 1,
                text=t,
                embedding=vectors[i - 1],
            )
            for i, t in enumerate(pages, 1)
        ]
    )
    conversation = services.start_conversation(actor=user, lecture=lecture)
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    return user, conversation, cookie, pages


async def app_side(conversation_id, cookie, questions, warmup):
    from channels.testing import WebsocketCommunicator

    from smartnotes.asgi import application

    headers = [(b"origin", b"http://localhost"), (b"cookie", f"sessionid={cookie}".encode())]
    communicator = WebsocketCommunicator(application, f"/ws/chat/{conversation_id}/", headers=headers)
    connected, _ = await communicator.connect(timeout=30)
    assert connected, "the websocket was refused"

    async def ask(question):
        started = time.perf_counter()
        await communicator.send_json_to({"message": question})
        first = None
        tokens = 0
        while True:
            frame = await communicator.receive_from(timeout=120)
            if frame.startswith('<span id="msg-'):  # a token fragment
                tokens += 1
                if first is None:
                    first = time.perf_counter()
            elif 'hx-swap-oob="outerHTML"' in frame or 'id="chat-alerts"' in frame:
                done = time.perf_counter()
                if 'id="chat-alerts"' in frame:
                    raise RuntimeError(f"the question was refused: {frame[:300]}")
                break
        if first is None:
            raise RuntimeError(f"no token streamed for {question!r} (not covered, or an error): {frame[:300]}")
        return (first - started) * 1000, tokens, first, done

    for i in range(warmup):
        await ask(f"{benchenv.PY4E_QUESTIONS[i % len(benchenv.PY4E_QUESTIONS)]}? (warm-up {i})")
    ttft = []
    for i, q in enumerate(questions):
        ms, _, _, _ = await ask(f"{q}? (run {i})")
        ttft.append(ms)
    # Long answer: relay throughput.
    rates = []
    for i in range(3):
        _, tokens, first, done = await ask(f"{benchenv.PY4E_QUESTIONS[0]}? LONG ANSWER {i}")
        rates.append(tokens / (done - first))
    await communicator.disconnect()
    return ttft, rates, tokens


async def _connect(conversation_id, cookie):
    from channels.testing import WebsocketCommunicator

    from smartnotes.asgi import application

    headers = [(b"origin", b"http://localhost"), (b"cookie", f"sessionid={cookie}".encode())]
    communicator = WebsocketCommunicator(application, f"/ws/chat/{conversation_id}/", headers=headers)
    connected, _ = await communicator.connect(timeout=30)
    assert connected, "the websocket was refused"
    return communicator


async def _answer(communicator, question) -> float:
    """Seconds from sending ``question`` to its final message."""
    started = time.perf_counter()
    await communicator.send_json_to({"message": question})
    while True:
        frame = await communicator.receive_from(timeout=300)
        if 'id="chat-alerts"' in frame:
            raise RuntimeError(f"the question was refused: {frame[:300]}")
        if 'hx-swap-oob="outerHTML"' in frame:
            return time.perf_counter() - started


async def first_question_after_start(conversation_id, cookie):
    """The first question of a fresh web process: with the model loaded on the first question (as before
    EMBEDDINGS_WARM_UP) and with it loaded at start-up (the question is asked once the model is in)."""
    from smartnotes import ai
    from smartnotes.ai import embeddings

    communicator = await _connect(conversation_id, cookie)
    figures = {}
    for label in ("model loaded by the first question", "model loaded at start-up (EMBEDDINGS_WARM_UP)"):
        embeddings._models.clear()
        if "start-up" in label:
            await asyncio.to_thread(ai.warm_up_in_background().join)
        figures[label] = await _answer(communicator, f"{benchenv.PY4E_QUESTIONS[1]}? ({label})")
    figures["a later question (model loaded)"] = await _answer(communicator, f"{benchenv.PY4E_QUESTIONS[2]}? (later)")
    await communicator.disconnect()
    return figures


async def simultaneous_questions(conversation_id, cookie, n):
    """One question alone, then ``n`` questions on ``n`` sockets at the same moment (one web process)."""
    sockets = [await _connect(conversation_id, cookie) for _ in range(n)]
    alone = await _answer(sockets[0], f"{benchenv.PY4E_QUESTIONS[3]}? (alone)")
    started = time.perf_counter()
    each = await asyncio.gather(
        *(
            _answer(s, f"{benchenv.PY4E_QUESTIONS[i % len(benchenv.PY4E_QUESTIONS)]}? (together {i})")
            for i, s in enumerate(sockets)
        )
    )
    together = time.perf_counter() - started
    for s in sockets:
        await s.disconnect()
    return alone, together, each


def baseline(base_url, model, messages, runs):
    import openai

    client = openai.OpenAI(base_url=base_url, api_key="bench", max_retries=0)
    ttft = []
    for _ in range(runs):
        started = time.perf_counter()
        stream = client.chat.completions.create(model=model, messages=messages, stream=True)
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                ttft.append((time.perf_counter() - started) * 1000)
                break
        stream.close()
    rates = []
    long_messages = [*messages[:-1], {"role": "user", "content": messages[-1]["content"] + " LONG ANSWER"}]
    for _ in range(3):
        stream = client.chat.completions.create(model=model, messages=long_messages, stream=True)
        first, tokens = None, 0
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                tokens += 1
                first = first or time.perf_counter()
        rates.append(tokens / (time.perf_counter() - first))
    return ttft, rates


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--simultaneous", type=int, default=10, help="questions asked at the same moment")
    parser.add_argument("--keep", action="store_true", help=f"keep the {BENCH_DB} database")
    args = parser.parse_args()

    fake, base_url = start_fake_server()
    os.environ.update(OPENAI_BASE_URL=base_url, OPENAI_API_KEY="bench", CHAT_MODEL="fake-chat", AI_MAX_RETRIES="0")
    db = None
    try:
        fixture_texts()  # fail early without the fixtures
        db = setup_django(BENCH_DB, cache_table=True)
        from smartnotes import ai

        ai.reset_caches()
        print(f"{os.cpu_count()} CPUs; fake model at {base_url}; embeddings {ai.embedding_model_id()}")
        user, conversation, cookie, pages = seed()
        questions = [benchenv.PY4E_QUESTIONS[i % len(benchenv.PY4E_QUESTIONS)] for i in range(args.questions)]
        app_ttft, app_rates, long_tokens = asyncio.run(app_side(conversation.pk, cookie, questions, args.warmup))

        # The baseline sends a prompt of the same shape and size as the app's.
        from apps.chat import prompts
        from apps.lectures import retrieval

        hits = retrieval.relevant_hits(
            retrieval.search(user, benchenv.PY4E_QUESTIONS[0], lecture_id=conversation.lecture_id)
        )
        messages = prompts.build_messages(
            benchenv.PY4E_QUESTIONS[0], [prompts.Passage("Deck", h.page, h.text) for h in hits[:6]]
        )
        base_ttft, base_rates = baseline(base_url, "fake-chat", messages, args.questions)

        print(f"\ntime to first token over {len(app_ttft)} questions (after {args.warmup} warm-up questions)")
        print(f"  baseline: fake model via the openai client     {fmt(base_ttft)}")
        print(f"  app: websocket question -> first token frame   {fmt(app_ttft)}")
        print(
            f"  ratio app/baseline: p50 {statistics.median(app_ttft) / statistics.median(base_ttft):.1f}x, "
            f"p95 {pct(app_ttft, 95) / pct(base_ttft, 95):.1f}x; app-side overhead p50 "
            f"{statistics.median(app_ttft) - statistics.median(base_ttft):.1f} ms"
        )
        print(f"  target p95 <= {TARGET_P95_MS:.0f} ms: {'met' if pct(app_ttft, 95) <= TARGET_P95_MS else 'NOT met'}")
        print(f"\nrelay throughput, {long_tokens}-token answer (3 runs, median)")
        print(f"  baseline: openai client reading the fake model  {statistics.median(base_rates):9.0f} tokens/s")
        print(f"  app: tokens arriving at the websocket          {statistics.median(app_rates):9.0f} tokens/s")
        print(f"  ratio app/baseline: {statistics.median(app_rates) / statistics.median(base_rates):.2f}")

        first = asyncio.run(first_question_after_start(conversation.pk, cookie))
        print("\nfirst question of a fresh web process (question sent -> final message)")
        for label, seconds in first.items():
            print(f"  {label:<48} {seconds * 1000:8.0f} ms")
        alone, together, each = asyncio.run(simultaneous_questions(conversation.pk, cookie, args.simultaneous))
        print(f"\n{args.simultaneous} simultaneous questions through one web process (question sent -> final message)")
        print(f"  one question alone                               {alone * 1000:8.0f} ms")
        print(f"  {args.simultaneous} at once: all answered after                 {together * 1000:8.0f} ms")
        print(
            f"  ratio all-at-once / alone: {together / alone:.1f}x (the slowest of them; median one {statistics.median(each) / alone:.1f}x)"
        )
    finally:
        fake.kill()
        if db is not None:
            from django.db import connections

            connections.close_all()
            if not args.keep:
                drop_database(db, BENCH_DB)


if __name__ == "__main__":
    main()
