"""The retrieval evaluation: real decks, ingested through the real pipeline, asked the questions of
bench/eval_retrieval/questions.yaml. Used by bench/eval_retrieval.py (prints the figures) and by
apps/lectures/tests/test_retrieval_eval.py (holds them to floors).

Figures, over the questions the notes cover (on-topic) and those they do not (off-topic):

* retrieval, fresh questions (``retrieval.search`` in the question's scope): top-1 and top-3 page accuracy and
  MRR (over the 8 hits; a hit counts when its lecture and page are expected);
* refusal (``retrieval.relevant_hits`` empty): precision (refused questions that are off-topic) and recall
  (off-topic questions refused);
* chat (``apps.chat.services.ask`` offline: the extractive answer and its citations), fresh and inside the
  conversations: the rate at which the cited pages include an expected page, refusal precision and recall, and
  answers that cite the same page twice.

Needs Django set up, a database, the local embedding model and no chat model configured (offline).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "bench" / "eval_retrieval" / "questions.yaml"
FIXTURES = Path(os.environ.get("SMARTNOTES_FIXTURES", ROOT.parent / "shared" / "fixtures"))
TOP_K = 8


@dataclass(frozen=True)
class Question:
    text: str
    scope: str  # "lecture" | "subject"
    target: str  # a deck key (lecture scope) or a subject key
    expected: frozenset[tuple[str, int]]  # (deck key, page); empty: the notes do not cover it
    refuse: bool


@dataclass
class EvalSet:
    subjects: dict[str, str]
    decks: dict[str, dict]
    questions: list[Question]
    conversations: list[list[Question]]


def _question(raw: dict, scope: str, target: str, decks: dict, subjects: dict) -> Question:
    refuse = bool(raw.get("refuse"))
    if "pages" in raw:
        if scope != "lecture":
            raise ValueError(f"{raw['q']!r}: `pages` is for a lecture scope; use `expect` in a subject")
        expected = {(target, int(p)) for p in raw["pages"]}
    else:
        expected = {(deck, int(p)) for deck, pages in (raw.get("expect") or {}).items() for p in pages}
    if refuse == bool(expected):
        raise ValueError(f"{raw['q']!r}: give either expected pages or refuse: true")
    for deck, _ in expected:
        if deck not in decks:
            raise ValueError(f"{raw['q']!r}: unknown deck {deck!r}")
        if scope == "subject" and decks[deck]["subject"] != target:
            raise ValueError(f"{raw['q']!r}: deck {deck!r} is not in subject {target!r}")
    if (scope == "lecture" and target not in decks) or (scope == "subject" and target not in subjects):
        raise ValueError(f"{raw['q']!r}: unknown {scope} {target!r}")
    return Question(raw["q"], scope, target, frozenset(expected), refuse)


def _scope_of(raw: dict) -> tuple[str, str]:
    if "lecture" in raw:
        return "lecture", raw["lecture"]
    return "subject", raw["subject"]


def load_questions(path: Path = QUESTIONS) -> EvalSet:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    subjects, decks = data["subjects"], data["decks"]
    questions = [_question(q, *_scope_of(q), decks, subjects) for q in data["questions"]]
    conversations = []
    for conv in data.get("conversations") or []:
        scope, target = _scope_of(conv)
        conversations.append([_question(t, scope, target, decks, subjects) for t in conv["turns"]])
    return EvalSet(subjects, decks, questions, conversations)


# -- the material ---------------------------------------------------------------------------------------------


@dataclass
class Corpus:
    user: object
    subjects: dict[str, object]  # key -> Subject
    lectures: dict[str, object]  # deck key -> Lecture
    ingest_seconds: float = 0.0

    def scope(self, question: Question) -> dict:
        if question.scope == "lecture":
            return {"lecture_id": self.lectures[question.target].pk}
        return {"subject_id": self.subjects[question.target].pk}

    def deck_of(self, lecture_id: int) -> str | None:
        return next((key for key, lec in self.lectures.items() if lec.pk == lecture_id), None)


def ingest_decks(user, evalset: EvalSet, fixtures: Path = FIXTURES) -> Corpus:
    """Upload and ingest every deck (the same code a worker runs, the pieces job queued on completion included),
    each into its subject, once."""
    from apps.lectures.models import ChunkPiece, LecturePage
    from apps.lectures.tests.helpers import ingest_now, upload_file
    from apps.subjects.models import Subject

    started = time.perf_counter()
    subjects = {key: Subject.objects.create(user=user, name=name) for key, name in evalset.subjects.items()}
    lectures = {}
    with override_settings(UPLOAD_RATE_PER_HOUR=10_000):
        for key, deck in evalset.decks.items():
            lecture = ingest_now(upload_file(user, subjects[deck["subject"]], fixtures / deck["file"]))
            if lecture.status != "completed":
                raise RuntimeError(f"{deck['file']} did not ingest: {lecture.error_message}")
            lectures[key] = lecture
    if not ChunkPiece.objects.filter(chunk__lecture__owner=user).exists():
        raise RuntimeError("no pieces were indexed: the figures would measure the ranking without them")
    # Every expected page must exist and hold text: a typo in the question file would otherwise score as a miss.
    pages = {
        (lec_id, number)
        for lec_id, number, text in LecturePage.objects.filter(lecture__owner=user).values_list(
            "lecture_id", "number", "text"
        )
        if text.strip()
    }
    for question in [*evalset.questions, *(t for c in evalset.conversations for t in c)]:
        for deck, page in question.expected:
            if (lectures[deck].pk, page) not in pages:
                raise ValueError(f"{question.text!r}: {deck} has no page {page} with text")
    return Corpus(user, subjects, lectures, time.perf_counter() - started)


def existing_corpus(user, evalset: EvalSet) -> Corpus:
    """The corpus ``ingest_decks`` built earlier for this user (bench/eval_retrieval.py --reuse)."""
    from apps.lectures.models import Lecture
    from apps.subjects.models import Subject

    subjects = {key: Subject.objects.get(user=user, name=name) for key, name in evalset.subjects.items()}
    lectures = {
        key: Lecture.objects.get(owner=user, original_filename=Path(deck["file"]).name)
        for key, deck in evalset.decks.items()
    }
    return Corpus(user, subjects, lectures)


# -- the figures ----------------------------------------------------------------------------------------------


@dataclass
class Row:
    question: Question
    found: list[tuple[str | None, int]]  # (deck, page) of the hits / citations, best first
    refused: bool
    rank: int | None = None  # 1-based rank of the first expected hit


@dataclass
class Report:
    retrieval: dict = field(default_factory=dict)
    chat_fresh: dict = field(default_factory=dict)
    chat_conversation: dict = field(default_factory=dict)
    retrieval_rows: list[Row] = field(default_factory=list)
    chat_rows: list[Row] = field(default_factory=list)
    conversation_rows: list[Row] = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)


def _rank(found: list[tuple[str | None, int]], expected: frozenset) -> int | None:
    return next((i for i, item in enumerate(found, start=1) if item in expected), None)


def _refusal(rows: list[Row]) -> dict:
    refused = [r for r in rows if r.refused]
    off_topic = [r for r in rows if r.question.refuse]
    correct = [r for r in refused if r.question.refuse]
    return {
        "refusal_precision": len(correct) / len(refused) if refused else 1.0,
        "refusal_recall": len(correct) / len(off_topic) if off_topic else 1.0,
    }


def retrieval_figures(rows: list[Row]) -> dict:
    on = [r for r in rows if not r.question.refuse]
    n = len(on) or 1
    return {
        "top1": sum(1 for r in on if r.rank == 1) / n,
        "top3": sum(1 for r in on if r.rank is not None and r.rank <= 3) / n,
        "mrr": sum(1 / r.rank for r in on if r.rank) / n,
        **_refusal(rows),
    }


def chat_figures(rows: list[Row]) -> dict:
    on = [r for r in rows if not r.question.refuse]
    return {
        "cited": sum(1 for r in on if r.rank is not None) / (len(on) or 1),
        "duplicate_citations": sum(1 for r in rows if len(set(r.found)) < len(r.found)),
        **_refusal(rows),
    }


def run_retrieval(corpus: Corpus, questions: list[Question]) -> list[Row]:
    from apps.lectures import retrieval

    rows = []
    for question in questions:
        hits = retrieval.search(corpus.user, question.text, k=TOP_K, **corpus.scope(question))
        found = [(corpus.deck_of(h.lecture_id), h.page) for h in hits]
        refused = not retrieval.relevant_hits(hits)
        rows.append(Row(question, found, refused, _rank(found, question.expected)))
    return rows


def _chat_row(corpus: Corpus, conversation, question: Question) -> Row:
    from apps.chat import services
    from apps.chat.models import AnswerKind

    message = services.ask(corpus.user, conversation, question.text)
    found = [(corpus.deck_of(c["lecture_id"]), c["page"]) for c in message.citations]
    refused = message.kind == AnswerKind.NOT_COVERED
    return Row(question, found, refused, _rank(found, question.expected))


def _start(corpus: Corpus, question: Question):
    from apps.chat import services

    if question.scope == "lecture":
        return services.start_conversation(actor=corpus.user, lecture=corpus.lectures[question.target])
    return services.start_conversation(actor=corpus.user, subject=corpus.subjects[question.target])


def run_chat(corpus: Corpus, evalset: EvalSet) -> tuple[list[Row], list[Row]]:
    """Each fresh question in a conversation of its own; each conversation's turns in one conversation."""
    from smartnotes import ai

    if not ai.is_offline():
        raise RuntimeError("the chat evaluation runs offline: unset OPENAI_BASE_URL / CHAT_MODEL")
    with override_settings(CHAT_RATE_PER_MINUTE=1_000_000, CHAT_CACHE_SECONDS=0):
        fresh = [_chat_row(corpus, _start(corpus, q), q) for q in evalset.questions]
        turns = []
        for conversation_turns in evalset.conversations:
            conversation = _start(corpus, conversation_turns[0])
            turns.extend(_chat_row(corpus, conversation, q) for q in conversation_turns)
    return fresh, turns


def evaluate(corpus: Corpus, evalset: EvalSet, *, chat: bool = True) -> Report:
    report = Report()
    started = time.perf_counter()
    report.retrieval_rows = run_retrieval(corpus, evalset.questions)
    report.seconds["retrieval"] = time.perf_counter() - started
    if chat:
        started = time.perf_counter()
        report.chat_rows, report.conversation_rows = run_chat(corpus, evalset)
        report.seconds["chat"] = time.perf_counter() - started
    report.seconds["ingest"] = corpus.ingest_seconds
    report.retrieval = retrieval_figures(report.retrieval_rows)
    report.chat_fresh = chat_figures(report.chat_rows)
    report.chat_conversation = chat_figures(report.conversation_rows)
    on = [q for q in evalset.questions if not q.refuse]
    turns = [t for c in evalset.conversations for t in c]
    report.counts = {
        "decks": len(evalset.decks),
        "on_topic": len(on),
        "off_topic": len(evalset.questions) - len(on),
        "subject_scope": sum(1 for q in evalset.questions if q.scope == "subject"),
        "conversations": len(evalset.conversations),
        "turns": len(turns),
        "off_topic_turns": sum(1 for t in turns if t.refuse),
    }
    return report


# -- printing -------------------------------------------------------------------------------------------------


def _fmt_found(found) -> str:
    return ", ".join(f"{deck} p{page}" for deck, page in found[:3]) or "-"


def _misses(rows: list[Row], title: str) -> list[str]:
    lines = []
    for r in rows:
        q = r.question
        if q.refuse and not r.refused:
            lines.append(f"  [{title}] not refused: {q.text!r} -> {_fmt_found(r.found)}")
        elif not q.refuse and r.refused:
            lines.append(f"  [{title}] refused: {q.text!r}")
        elif not q.refuse and (r.rank is None or r.rank > (3 if title == "retrieval" else TOP_K)):
            want = ", ".join(f"{d} p{p}" for d, p in sorted(q.expected))
            lines.append(f"  [{title}] miss: {q.text!r} want {want}; got {_fmt_found(r.found)}")
    return lines


def format_report(report: Report, *, misses: bool = True) -> str:
    c, r, f, v = report.counts, report.retrieval, report.chat_fresh, report.chat_conversation
    lines = [
        f"{c['on_topic']} on-topic + {c['off_topic']} off-topic questions ({c['subject_scope']} in a subject scope) "
        f"over {c['decks']} decks; {c['conversations']} conversations, {c['turns']} turns "
        f"({c['off_topic_turns']} off-topic)",
        f"retrieval   top-1 {r['top1']:.3f}   top-3 {r['top3']:.3f}   MRR {r['mrr']:.3f}   "
        f"refusal precision {r['refusal_precision']:.3f}   recall {r['refusal_recall']:.3f}",
        f"chat fresh  cited expected page {f['cited']:.3f}   refusal precision {f['refusal_precision']:.3f}   "
        f"recall {f['refusal_recall']:.3f}   answers citing a page twice {f['duplicate_citations']}",
        f"chat conv.  cited expected page {v['cited']:.3f}   refusal precision {v['refusal_precision']:.3f}   "
        f"recall {v['refusal_recall']:.3f}   answers citing a page twice {v['duplicate_citations']}",
        "time        " + "   ".join(f"{k} {s:.1f} s" for k, s in report.seconds.items()),
    ]
    if misses:
        lines += _misses(report.retrieval_rows, "retrieval")
        lines += _misses(report.chat_rows, "chat")
        lines += _misses(report.conversation_rows, "conversation")
    return "\n".join(lines)
