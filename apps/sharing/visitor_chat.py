"""A visitor's question to a shared lecture ("pages + chat"), answered from that one lecture alone.

The same pieces as the student's chat (retrieval, the relevance threshold, the prompt, the extractive
fallback), with the scope fixed to the link's lecture and the owner's index: retrieval filters to the owner
and the lecture in SQL, and hits of any other lecture are dropped again here. Nothing is stored in the
owner's conversations or study statistics; the rate limit is ``services.admit_question``."""

import logging
from dataclasses import dataclass, field

from apps.chat import prompts
from apps.chat.rendering import cited_in
from apps.chat.services import NOT_COVERED, extractive_answer, material_fingerprint, not_covered_answer
from apps.lectures import retrieval
from smartnotes import ai

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
TOP_K = 8
PROMPT_PASSAGES = 6
EXTRACTIVE_PASSAGES = 3
INTRO = "Here are the passages of this lecture that best match your question:"
OFFLINE_NOTICE = "No AI model is configured on this server: showing the most relevant passages of the lecture."
FAILED_NOTICE = "The AI model is unavailable right now: showing the most relevant passages of the lecture."


class InvalidQuestion(ValueError):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass
class VisitorAnswer:
    question: str
    content: str  # Markdown
    kind: str  # answer | extractive | not_covered
    citations: list[dict] = field(default_factory=list)
    notice: str = ""


def clean_question(question: str) -> str:
    question = " ".join((question or "").split())
    if not question:
        raise InvalidQuestion("Type a question first.")
    if len(question) > MAX_QUESTION_CHARS:
        raise InvalidQuestion(f"Questions can be at most {MAX_QUESTION_CHARS} characters long.")
    return question


def _citation(hit) -> dict:
    snippet = " ".join(hit.text.split())
    if len(snippet) > 160:
        snippet = snippet[:160].rsplit(" ", 1)[0] + "…"
    return {"lecture_id": hit.lecture_id, "lecture_name": hit.lecture_name, "page": hit.page, "snippet": snippet}


def answer(link, question: str) -> VisitorAnswer:
    lecture, owner = link.lecture, link.owner
    fingerprint = material_fingerprint(owner.pk, lecture_id=lecture.pk)
    if fingerprint["chunks"] == 0:
        return VisitorAnswer(question, not_covered_answer(lecture.name, empty=True), "not_covered")
    mode = "hybrid" if fingerprint["embedding_models"] in ([], [ai.embedding_model_id()]) else "text"
    hits = retrieval.search(owner, question, lecture_id=lecture.pk, k=TOP_K, mode=mode)
    relevant = [hit for hit in retrieval.relevant_hits(hits) if hit.lecture_id == lecture.pk]
    if not relevant:
        return VisitorAnswer(question, not_covered_answer(lecture.name), "not_covered")
    passages = [
        {"lecture_name": h.lecture_name, "page": h.page, "text": h.text, "citation": _citation(h)}
        for h in relevant[:PROMPT_PASSAGES]
    ]
    if ai.is_offline():
        return _extractive(question, passages, OFFLINE_NOTICE)
    messages = prompts.build_messages(
        question, [prompts.Passage(p["lecture_name"], p["page"], p["text"]) for p in passages]
    )
    try:
        content = ai.complete_chat(messages, model=ai.get_settings().chat_model)
    except ai.AIError as exc:
        log.warning("visitor chat model failed for share link %s: %r", link.pk, exc)
        return _extractive(question, passages, FAILED_NOTICE)
    if not content.strip():
        return _extractive(question, passages, FAILED_NOTICE)
    citations = [p["citation"] for p in passages]
    if content.lstrip().startswith(NOT_COVERED):
        return VisitorAnswer(question, content, "not_covered")
    return VisitorAnswer(question, content, "answer", cited_in(content, citations) or citations[:3])


def _extractive(question, passages, notice) -> VisitorAnswer:
    shown = passages[:EXTRACTIVE_PASSAGES]
    content = extractive_answer(shown, intro=INTRO)
    return VisitorAnswer(question, content, "extractive", [p["citation"] for p in shown], notice)
