"""Model-backed generation of cheat sheets, quizzes and past-paper answers (no Django).

Every reply is parsed by ``smartnotes.ai.complete_json`` and validated against a pydantic schema
(``schemas.py``); a reply that is not JSON or does not fit the schema is sent back once with the error, then
``GenerationError(code="invalid_output")`` is raised. An unreachable model raises
``GenerationError(code="ai_unavailable")`` so the caller can fall back to ``offline.py``. Pages cited by the
model are kept only when they exist in the material.
"""

from __future__ import annotations

import html
import json
import math
import random
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from smartnotes import ai

from . import prompts
from .errors import GenerationError
from .offline import balance_positions
from .schemas import AnswerReply, CheatSheetMapReply, CheatSheetReduceReply, CitationOut, QuizItemOut, QuizReply
from .schemas import SectionOut as _SectionOut
from .types import CheatSheet, Citation, Material, Passage, Point, Quiz, QuizQuestion, Section
from .validation import page_texts_of, quiz_problems

BATCH_TOKENS = 3000  # notes per cheat-sheet map call
QUIZ_NOTES_TOKENS = 6000  # notes sent with a quiz request
FIGURES_PER_PAGE = 2

Progress = Callable[[int, int, str], None]
S = TypeVar("S", bound=BaseModel)

UNAVAILABLE_MESSAGE = (
    "The AI model could not be reached, so this could not be generated with it. Please try again later."
)
INVALID_MESSAGE = "The AI model's answer could not be used, even after asking it to correct it. Please try again."
REJECTED_MESSAGE = "The AI model refused the request (the notes may be too long for it). Please try again with less."
OFFLINE_MESSAGE = "No AI model is configured on this server."
EMPTY_MESSAGE = "There is no text in these notes to generate from."


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text.split()) * 1.3)


def _clean(text: str) -> str:
    return " ".join(html.unescape(text).split())


def _report(progress: Progress | None, done: int, total: int, step: str) -> None:
    if progress is not None:
        progress(done, total, step)


# --- calling the model -------------------------------------------------------------------------------


def _complete(messages: list[dict[str, str]]) -> Any:
    try:
        return ai.complete_json(messages)
    except ai.AIUnavailable as exc:  # down, timing out, overloaded, not configured
        raise GenerationError(UNAVAILABLE_MESSAGE, code="ai_unavailable", detail=exc.detail) from exc
    except ai.AIResponseError as exc:
        if exc.status_code is not None:  # the endpoint rejected the request itself: asking again will not help
            raise GenerationError(REJECTED_MESSAGE, code="ai_rejected", detail=exc.detail) from exc
        raise


def _schema_problem(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(x) for x in error["loc"]) or "the reply"
        parts.append(f"{where}: {error['msg']}")
    return "it does not match the format (" + "; ".join(parts) + ")"


def _call(messages: list[dict[str, str]], schema: type[S]) -> S:
    """The model's reply to ``messages`` as a ``schema`` instance; one repair request if it is unusable."""
    previous: Any = None
    try:
        previous = _complete(messages)
        return schema.model_validate(previous)
    except ai.AIResponseError:
        previous, problem = None, "it is not valid JSON (it may be incomplete or cut off)."
    except ValidationError as exc:
        problem = _schema_problem(exc)
    repair = list(messages)
    if previous is not None:
        repair.append({"role": "assistant", "content": json.dumps(previous, ensure_ascii=False)[:8000]})
    repair.append(prompts.json_repair_message(problem))
    try:
        return schema.model_validate(_complete(repair))
    except (ai.AIResponseError, ValidationError) as exc:
        raise GenerationError(INVALID_MESSAGE, code="invalid_output", detail=f"{problem}; then: {exc}") from exc


def _require_online() -> None:
    if ai.is_offline():
        raise GenerationError(OFFLINE_MESSAGE, code="ai_unavailable", detail="offline mode")


# --- cheat sheet -------------------------------------------------------------------------------------


def batch_passages(passages: Iterable[Passage], budget: int = BATCH_TOKENS) -> list[list[Passage]]:
    """Consecutive passages (in the given page order) in batches of about ``budget`` estimated tokens."""
    batches: list[list[Passage]] = []
    current: list[Passage] = []
    size = 0
    for passage in passages:
        if not passage.text.strip():
            continue
        tokens = estimate_tokens(passage.text)
        if current and size + tokens > budget:
            batches.append(current)
            current, size = [], 0
        current.append(passage)
        size += tokens
    if current:
        batches.append(current)
    return batches


def _sections(found: Sequence[_SectionOut], valid_pages: set[int]) -> list[Section]:
    """Sections with only real pages; points without a valid page and empty sections are dropped."""
    sections = []
    for section in found:
        points = []
        for point in section.points:
            pages = sorted({p for p in point.pages if p in valid_pages})
            text = _clean(point.text)
            if pages and text:
                points.append(Point(text=text, pages=pages))
        if points:
            sections.append(Section(heading=_clean(section.heading) or "Notes", points=points))
    return sections


def _fit(sections: list[Section], max_points: int) -> list[Section]:
    """Drop the last points of the longest sections until at most ``max_points`` remain."""
    total = sum(len(s.points) for s in sections)
    while total > max_points:
        longest = max(sections, key=lambda s: len(s.points))
        longest.points.pop()
        total -= 1
    return [s for s in sections if s.points]


def _attach_figures(sections: list[Section], material: Material, limit: int) -> None:
    for figure in material.figures:
        if limit <= 0:
            return
        for section in sections:
            if figure.page in section.pages and not section.figures:
                section.figures.append(figure)
                limit -= 1
                break


def _as_draft(sections: list[Section]) -> list[dict[str, Any]]:
    return [{"heading": s.heading, "points": [{"text": p.text, "pages": p.pages} for p in s.points]} for s in sections]


def ai_cheat_sheet(material: Material, *, target_pages: int = 1, progress: Progress | None = None) -> CheatSheet:
    """Map (each batch of passages to condensed points with pages), then reduce (to sections for 1 or 2 pages)."""
    _require_online()
    batches = batch_passages(material.passages)
    if not batches:
        raise GenerationError(EMPTY_MESSAGE, code="no_material")
    valid_pages = set(material.pages)
    total = len(batches) + 1
    _report(progress, 0, total, "map")
    draft: list[Section] = []
    for done, batch in enumerate(batches, 1):
        reply = _call(prompts.cheat_map_messages(material.title, batch), CheatSheetMapReply)
        draft.extend(_sections(reply.sections, valid_pages & {p.page for p in batch}))
        _report(progress, done, total, "map")
    if not draft:
        raise GenerationError(INVALID_MESSAGE, code="invalid_output", detail="no point of the map step cites a page")
    reply = _call(prompts.cheat_reduce_messages(material.title, _as_draft(draft), target_pages), CheatSheetReduceReply)
    _report(progress, total, total, "reduce")
    max_points = prompts.sheet_size(target_pages)[2]
    sections = _fit(_sections(reply.sections, valid_pages) or draft, max_points)
    _attach_figures(sections, material, FIGURES_PER_PAGE * max(1, min(target_pages, 2)))
    return CheatSheet(title=material.title, sections=sections)


# --- quiz --------------------------------------------------------------------------------------------


def select_passages(passages: Sequence[Passage], budget: int, rng: random.Random) -> list[Passage]:
    """All passages when they fit in ``budget`` tokens, else a random spread of them, kept in page order."""
    passages = [p for p in passages if p.text.strip()]
    if sum(estimate_tokens(p.text) for p in passages) <= budget:
        return passages
    order = list(range(len(passages)))
    rng.shuffle(order)
    chosen, size = [], 0
    for i in order:
        tokens = estimate_tokens(passages[i].text)
        if size + tokens <= budget or not chosen:
            chosen.append(i)
            size += tokens
    return [passages[i] for i in sorted(chosen)]


def _unescaped(item: QuizItemOut) -> QuizItemOut:
    return item.model_copy(
        update={
            "question": _clean(item.question),
            "options": [_clean(o) for o in item.options],
            "explanation": _clean(item.explanation),
        }
    )


def _accept(
    items: Iterable[QuizItemOut], accepted: list[QuizItemOut], page_texts: dict[int, str], n: int
) -> list[tuple[QuizItemOut, list[str]]]:
    """Move valid items into ``accepted`` (up to ``n``); return the rejected ones with their problems."""
    rejected = []
    for raw in items:
        if len(accepted) >= n:
            break
        item = _unescaped(raw)
        problems = quiz_problems(item, page_texts, accepted)
        if problems:
            rejected.append((item, problems))
        else:
            accepted.append(item)
    return rejected


def _dump_quiz(reply: QuizReply) -> str:
    """The reply as the model wrote it, near enough (correct answers as letters) for the repair turn."""
    questions = []
    for item in reply.questions:
        data = item.model_dump()
        data["correct"] = ", ".join("ABCD"[i] if 0 <= i < 4 else str(i) for i in item.correct)
        questions.append(data)
    return json.dumps({"questions": questions}, ensure_ascii=False)


def _to_question(item: QuizItemOut, rng: random.Random) -> QuizQuestion:
    order = list(range(len(item.options)))
    rng.shuffle(order)
    return QuizQuestion(
        question=item.question,
        options=[item.options[i] for i in order],
        correct=order.index(item.correct[0]),
        explanation=item.explanation,
        page=int(item.page or 0),
    )


def ai_quiz(material: Material, *, n: int = 10, seed: int | None = None, progress: Progress | None = None) -> Quiz:
    """``n`` validated questions (generate, one repair round, one regeneration of what is missing). Returns
    fewer than ``n`` (but at least half) when the model could not do better; raises ``invalid_output`` else."""
    if n < 1:
        raise ValueError("n must be at least 1")
    _require_online()
    rng = random.Random(seed)  # noqa: S311 - shuffling answer positions, not security
    passages = select_passages(material.passages, QUIZ_NOTES_TOKENS, rng)
    if not passages:
        raise GenerationError(EMPTY_MESSAGE, code="no_material")
    page_texts = page_texts_of(material)
    accepted: list[QuizItemOut] = []

    messages = prompts.quiz_messages(material.title, passages, n)
    reply = _call(messages, QuizReply)
    rejected = _accept(reply.questions, accepted, page_texts, n)
    _report(progress, 1, 3, "generate")

    if rejected and len(accepted) < n:
        to_fix = rejected[: n - len(accepted)]
        repair = [
            *messages,
            {"role": "assistant", "content": _dump_quiz(reply)},
            prompts.quiz_repair_message([(item.question, problems) for item, problems in to_fix]),
        ]
        _accept(_call_tolerant(repair), accepted, page_texts, n)
    _report(progress, 2, 3, "repair")

    missing = n - len(accepted)
    if missing > 0:
        more = prompts.quiz_more_messages(material.title, passages, missing, [q.question for q in accepted])
        _accept(_call_tolerant(more), accepted, page_texts, n)
    _report(progress, 3, 3, "regenerate")

    if len(accepted) < n and len(accepted) < math.ceil(n / 2):
        raise GenerationError(
            f"The AI model's quiz did not pass the checks twice: only {len(accepted)} of {n} questions were usable. "
            "Please try again.",
            code="invalid_output",
            detail=f"{len(accepted)} valid questions of {n}",
        )
    questions = balance_positions([_to_question(item, rng) for item in accepted], rng)
    return Quiz(title=material.title, questions=questions)


def _call_tolerant(messages: list[dict[str, str]]) -> list[QuizItemOut]:
    """A later quiz round: an unusable reply just adds no questions (an unreachable model still raises)."""
    try:
        return _call(messages, QuizReply).questions
    except GenerationError as exc:
        if exc.code != "invalid_output":
            raise
        return []


# --- past paper --------------------------------------------------------------------------------------


def _citations(found: Iterable[CitationOut], passages: Sequence[Passage]) -> list[Citation]:
    """Citations of passages that were given (matched by page, and by lecture name when there is a match)."""
    out: list[Citation] = []
    for cited in found:
        candidates = [p for p in passages if p.page == cited.page]
        lecture = cited.lecture.casefold().strip()
        same_lecture = [p for p in candidates if lecture and p.lecture_name.casefold().strip() == lecture]
        for passage in (same_lecture or candidates)[:1]:
            citation = Citation(lecture_name=passage.lecture_name, page=passage.page, lecture_id=passage.lecture_id)
            if citation not in out:
                out.append(citation)
    return out


def ai_answer(question_text: str, passages: Sequence[Passage]) -> tuple[str, list[Citation], bool]:
    """Answer a past-paper question from ``passages`` only: (answer, citations, covered). Not covered (``""``,
    ``[]``, ``False``) when the passages do not answer it or the model cites none of them."""
    _require_online()
    passages = [p for p in passages if p.text.strip()]
    if not passages or not question_text.strip():
        return "", [], False
    reply = _call(prompts.answer_messages(question_text, passages), AnswerReply)
    answer = html.unescape(reply.answer).strip()
    citations = _citations(reply.citations, passages)
    if not reply.covered or not answer or not citations:
        return "", [], False
    return answer, citations, True
