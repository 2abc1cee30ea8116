"""Document generation speed against baselines timed in the same run, for the py4e Expressions deck (35 pages).

(a) Model path. The fake OpenAI server (tests/fake_openai) runs in its own process, with TCP_NODELAY (it writes
    headers and body separately, which otherwise costs a 40 ms delayed-ACK wait per request), and answers with
    valid JSON made from the prompt: map, a point per page of the batch; reduce, the draft regrouped; quiz, one
    question per page quoting it. Each distinct prompt's reply is computed once, so after the warm-up run it
    answers at once. Ours: what a worker does for a cheat sheet and a 10-question quiz (material,
    ``make.cheat_sheet``/``make.quiz`` through the model: prompts, requests, parsing, schema and quality checks,
    position balancing; then the DOCX and the PDF). Baseline: the same model requests (recorded during our run)
    sent again as bare ``ai.complete_json`` calls, i.e. the fake model's own time as the app's client sees it;
    the time spent inside those calls during our run is printed too.
(b) Offline path. Ours: the extractive cheat sheet and 10-question quiz (``make.*`` with no model configured,
    local embeddings; the sentence-embedding cache is emptied before each document, so each is timed as the
    first made from this lecture in its worker process) plus building both files. Baseline: ingesting the same
    deck as bench/ingest.py does (isolated extraction + cleaning + chunking + embedding).

No database: the generation functions take plain ``Material``. It is built here from the ingestion pipeline's
cleaned pages exactly as apps/documents/material.py builds it from the stored LecturePage rows (the same
paragraph split into passages, page texts, figures as PNG files on disk); what that replaces in the app is one
query of 35 page rows and one of the figure rows. Every figure is the median of --repeat runs after one
untimed warm-up run. Prints times and ratios; exits 0 whatever the figures.

Usage: .venv/bin/python bench/generate.py [--repeat N] [--questions 10]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["OMP_THREAD_LIMIT"] = "1"
_AI_ENV = ("OPENAI_BASE_URL", "OPENAI_API_KEY", "CHAT_MODEL", "GENERATION_MODEL", "AI_MAX_RETRIES", "AI_TIMEOUT")
for _name in _AI_ENV:  # start offline; part (a) points the app at the fake model
    os.environ.pop(_name, None)

from ingest import TEXT_DECK, ours_text  # noqa: E402

from apps.documents.builders import build_cheat_sheet_docx, build_quiz_pdf  # noqa: E402
from apps.lectures import pipeline  # noqa: E402
from smartnotes import ai  # noqa: E402
from smartnotes.generation import extractive, make  # noqa: E402
from smartnotes.generation.types import FigureRef, Material, Passage  # noqa: E402

HEADING_MAX_CHARS = 90  # as apps/documents/material.py

FAKE_SERVER = r"""
import html, json, re, sys, time
sys.path.insert(0, sys.argv[1])
from tests.fake_openai import FakeOpenAIServer, server as fake_server
from smartnotes.generation import prompts
from smartnotes.generation.validation import near_duplicate

PASSAGE = re.compile(r'<passage page="(\d+)">\n(.*?)\n</passage>', re.S)


def pages_of(text):
    pages = {}
    for page, body in PASSAGE.findall(text):
        pages.setdefault(int(page), []).append(html.unescape(body))
    return pages


def best_line(texts):
    # the longest passage of the page that reads like prose, cut to 14 words
    candidates = [" ".join(t.split()) for t in texts if len(t.split()) >= 5 and ">>>" not in t]
    return " ".join(max(candidates, key=len).split()[:14]) if candidates else None


def cheat_map(user):
    points = []
    for page, texts in sorted(pages_of(user).items()):
        line = best_line(texts)
        if line:
            points.append({"text": line, "pages": [page]})
    return {"sections": [{"heading": f"Slides {points[0]['pages'][0]}-{points[-1]['pages'][0]}", "points": points}]}


def cheat_reduce(user):
    draft = json.loads(html.unescape(user.split("<draft>\n", 1)[1].split("\n</draft>", 1)[0]))
    points = [p for s in draft["sections"] for p in s["points"]][:35]
    size = max(1, -(-len(points) // 7))
    return {"sections": [{"heading": f"Part {i // size + 1}", "points": points[i:i + size]} for i in range(0, len(points), size)]}


def quiz(user):
    n = int(re.search(r"Write (\d+) multiple-choice", user).group(1))
    lines = []
    for page, texts in sorted(pages_of(user).items()):
        line = best_line(texts)
        if line and not any(near_duplicate(line, other) for _, other in lines):
            lines.append((page, line))
    step = max(1, len(lines) // n)
    chosen = lines[::step][:n]
    questions = []
    for i, (page, line) in enumerate(chosen):
        distractors = []
        for k in range(len(lines)):  # lines of pages further on, all different from the answer
            other = lines[(i * step + 7 + 5 * k) % len(lines)][1]
            if len(distractors) < 3 and not any(near_duplicate(other, o) for o in [line, *distractors]):
                distractors.append(other)
        questions.append({
            "question": f"Which statement do the notes make on page {page}?",
            "options": [line, *distractors],
            "correct": "A",
            "explanation": f"Page {page} says: {line}",
            "page": page,
        })
    return {"questions": questions}


ANSWERS = {}  # prompt -> reply: after the warm-up run the same prompts are answered at once


def reply(messages):
    system, user = messages[0]["content"], messages[-1]["content"]
    key = (system, user)
    if key not in ANSWERS:
        if system == prompts.CHEAT_MAP_SYSTEM:
            ANSWERS[key] = json.dumps(cheat_map(user))
        elif system == prompts.CHEAT_REDUCE_SYSTEM:
            ANSWERS[key] = json.dumps(cheat_reduce(user))
        else:
            ANSWERS[key] = json.dumps(quiz(user))
    return ANSWERS[key]


fake_server._Handler.disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms ACK waits
server = FakeOpenAIServer().start()
server.reply = reply
print(server.base_url, flush=True)
while True:
    time.sleep(3600)
"""


def start_fake_server():
    proc = subprocess.Popen(
        [sys.executable, "-c", FAKE_SERVER, str(ROOT)], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    base_url = proc.stdout.readline().strip()
    if not base_url.startswith("http"):
        proc.kill()
        raise SystemExit("the fake OpenAI server did not start")
    return proc, base_url


def use_model(base_url: str | None) -> None:
    for name in _AI_ENV:
        os.environ.pop(name, None)
    if base_url:
        os.environ.update(
            OPENAI_BASE_URL=base_url,
            OPENAI_API_KEY="bench",
            CHAT_MODEL="fake-chat",
            GENERATION_MODEL="fake-generation",
            AI_MAX_RETRIES="0",
        )
    ai.reset_caches()
    ai.warm_up()


def timed(fn, repeat):
    fn()  # warm-up, untimed
    times, results = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        results.append(fn())
        times.append(time.perf_counter() - start)
    return statistics.median(times), results


def read_deck(folder: Path):
    """The deck's cleaned pages, with their figures written out as the app stores them."""
    limits = pipeline.Limits()
    raw = pipeline.run_isolated(
        pipeline.extract,
        str(TEXT_DECK),
        "pdf",
        limits=limits,
        timeout_s=limits.total_timeout_s,
        memory_mb=limits.memory_mb,
    )
    pages = pipeline.clean_pages(raw)
    figures = []
    for page in pages:
        for figure in page.figures:
            path = folder / f"slide_{page.number:02d}_fig_{figure.index:02d}.png"
            path.write_bytes(figure.png)
            figures.append(FigureRef(page=page.number, path=str(path), width=figure.width, height=figure.height))
    return pages, figures


def material_of(pages, figures, title="Pythonlearn-02-Expressions") -> Material:
    """apps.documents.material.lecture_material, from pipeline pages instead of LecturePage rows."""
    passages = []
    for page in pages:
        for i, block in enumerate(b.strip() for b in page.text.split("\n\n")):
            if not block:
                continue
            kind = "heading" if i == 0 and len(block) <= HEADING_MAX_CHARS and "\n" not in block else "text"
            passages.append(Passage(page.number, block, kind, 1, title))
    return Material(title=title, passages=passages, figures=list(figures), page_texts={p.number: p.text for p in pages})


def cold(material: Material) -> Material:
    """Forget the sentence embeddings of earlier runs: each document is timed as the first one made from this
    lecture in its worker process (two jobs may well run in different processes)."""
    extractive._CACHE.clear()
    return material


def generate_both(pages, figures, out: Path, n: int):
    """What a worker does for a cheat sheet and an n-question quiz (minus the row updates): returns the sheet,
    the quiz and the seconds of each part."""

    def run():
        parts = {}
        clock = time.perf_counter()

        def lap(name):
            nonlocal clock
            now = time.perf_counter()
            parts[name] = now - clock
            clock = now

        sheet = make.cheat_sheet(cold(material_of(pages, figures)), target_pages=1)
        lap("cheat sheet")
        build_cheat_sheet_docx(sheet.value, out / "sheet.docx", include_figures=True)
        lap("DOCX")
        quiz = make.quiz(cold(material_of(pages, figures)), n=n, seed=1)
        lap("quiz")
        build_quiz_pdf(quiz.value, out / "quiz.pdf", answer_key=True)
        lap("PDF")
        return sheet, quiz, parts

    return run


def median_parts(runs) -> str:
    names = runs[0].keys()
    return ", ".join(f"{name} {statistics.median(r[name] for r in runs):.3f} s" for name in names)


class Recorder:
    """Wraps ``ai.complete_json``: the time spent inside it and the messages it was sent."""

    def __init__(self):
        self.original = ai.complete_json
        self.seconds = 0.0
        self.calls: list = []

    def __call__(self, messages, **kwargs):
        start = time.perf_counter()
        try:
            return self.original(messages, **kwargs)
        finally:
            self.seconds += time.perf_counter() - start
            self.calls.append(list(messages))

    def __enter__(self):
        self.seconds, self.calls = 0.0, []
        ai.complete_json = self
        return self

    def __exit__(self, *exc):
        ai.complete_json = self.original


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--questions", type=int, default=10)
    args = parser.parse_args()
    if not TEXT_DECK.is_file():
        sys.exit(f"{TEXT_DECK} not found (set SMARTNOTES_FIXTURES)")
    n = args.questions
    fake, base_url = start_fake_server()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-generate-") as tmp:
            folder = Path(tmp)
            pages, figures = read_deck(folder)
            print(f"# Generation benchmark ({os.cpu_count()} CPUs, median of {args.repeat} after a warm-up run)")
            print(f"deck {TEXT_DECK.name}: {len(pages)} pages, {len(figures)} figures")

            # (a) through the (instant) fake model
            use_model(base_url)
            recorder = Recorder()
            app_times, model_times, parts, calls = [], [], [], []
            generate_both(pages, figures, folder, n)()  # warm-up
            for _ in range(args.repeat):
                with recorder:
                    start = time.perf_counter()
                    sheet, quiz, run_parts = generate_both(pages, figures, folder, n)()
                    app_times.append(time.perf_counter() - start)
                model_times.append(recorder.seconds)
                parts.append(run_parts)
                calls = recorder.calls
            assert not sheet.offline and not quiz.offline, "the fake model was not used"
            assert len(quiz.value.questions) == n, f"{len(quiz.value.questions)} of {n} questions passed the checks"

            def bare_calls():
                for messages in calls:
                    ai.complete_json(messages)

            t_bare, _ = timed(bare_calls, args.repeat)
            t_app, t_inside = statistics.median(app_times), statistics.median(model_times)
            points = sum(len(s.points) for s in sheet.value.sections)
            print(f"(a) model path, fake model answering at once ({len(calls)} model requests per run)")
            print(f"  cheat sheet ({len(sheet.value.sections)} sections, {points} points) + quiz ({n} questions)")
            print(f"  ours      {t_app:7.3f} s  (material + generation + validation + DOCX + PDF)")
            print(f"            {median_parts(parts)}")
            print(f"  of which  {t_inside:7.3f} s  inside the model calls")
            print(f"  baseline  {t_bare:7.3f} s  (the same {len(calls)} requests as bare ai.complete_json calls)")
            print(
                f"  ratio ours/baseline = {t_app / t_bare:.2f}; app-side work {t_app - t_inside:.3f} s "
                f"({(t_app - t_inside) / t_app:.0%} of ours)"
            )

            # (b) offline (extractive), against ingesting the same deck
            use_model(None)
            t_off, results = timed(generate_both(pages, figures, folder, n), args.repeat)
            sheet, quiz, _ = results[-1]
            assert sheet.offline and quiz.offline
            t_ingest, _ = timed(ours_text, args.repeat)
            print("(b) offline path (extractive, local embeddings)")
            print(f"  ours      {t_off:7.3f} s  (cheat sheet + {len(quiz.value.questions)}-question quiz + both files)")
            print(f"            {median_parts([r[2] for r in results])}")
            print(f"  baseline  {t_ingest:7.3f} s  (ingesting the deck: extract + clean + chunk + embed)")
            print(f"  ratio ours/baseline = {t_off / t_ingest:.2f}")
    finally:
        fake.kill()


if __name__ == "__main__":
    main()
