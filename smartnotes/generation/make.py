"""The entry points callers use: each picks the AI model when one is configured and the extractive methods
otherwise, and falls back to the extractive methods (saying so) when the model cannot be reached."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from smartnotes import ai

from . import ai_generation, offline
from .errors import GenerationError
from .types import CheatSheet, Citation, Material, Passage, Quiz

log = logging.getLogger(__name__)
Progress = Callable[[int, int, str], None]

FALLBACK_NOTICE = "The AI model could not be reached, so this was made from your notes without it."
SHORT_QUIZ_NOTICE = "Only {got} of the {asked} questions passed the quality checks; the quiz is shorter."


class Made:
    """A generated value plus what the student should be told about how it was made."""

    def __init__(self, value, *, offline: bool, notice: str = ""):
        self.value = value
        self.offline = offline
        self.notice = notice


def _use_model() -> bool:
    return not ai.is_offline()


def _fallback(exc: GenerationError) -> bool:
    return exc.code == "ai_unavailable"


def cheat_sheet(material: Material, *, target_pages: int = 1, progress: Progress | None = None) -> Made:
    if _use_model():
        try:
            return Made(
                ai_generation.ai_cheat_sheet(material, target_pages=target_pages, progress=progress), offline=False
            )
        except GenerationError as exc:
            if not _fallback(exc):
                raise
            log.warning("cheat sheet: model unavailable, extractive fallback: %s", exc.detail or exc.message)
            sheet = offline.offline_cheat_sheet(material, target_pages=target_pages)
            return Made(sheet, offline=True, notice=FALLBACK_NOTICE)
    return Made(offline.offline_cheat_sheet(material, target_pages=target_pages), offline=True)


def quiz(material: Material, *, n: int = 10, seed: int | None = None, progress: Progress | None = None) -> Made:
    notice = ""
    made_offline = True
    result: Quiz | None = None
    if _use_model():
        try:
            result = ai_generation.ai_quiz(material, n=n, seed=seed, progress=progress)
            made_offline = False
        except GenerationError as exc:
            if not _fallback(exc):
                raise
            log.warning("quiz: model unavailable, extractive fallback: %s", exc.detail or exc.message)
            notice = FALLBACK_NOTICE
    if result is None:
        result = offline.offline_quiz(material, n=n, seed=seed)
    if len(result.questions) < n:
        short = SHORT_QUIZ_NOTICE.format(got=len(result.questions), asked=n)
        notice = f"{notice} {short}".strip()
    return Made(result, offline=made_offline, notice=notice)


def answer(question_text: str, passages: Sequence[Passage]) -> tuple[str, list[Citation], bool, bool]:
    """(answer, citations, covered, made offline) for one exam question from the passages retrieval found for
    it and judged on topic (apps.documents.material.passages_for_question): offline, that calibrated judgement
    is trusted rather than asking again for half of the question's words."""
    if passages and _use_model():
        try:
            text, citations, covered = ai_generation.ai_answer(question_text, passages)
            return text, citations, covered, False
        except GenerationError as exc:
            if not _fallback(exc):
                raise
            log.warning("answer: model unavailable, extractive fallback")
    text, citations = offline.offline_answer(question_text, list(passages), on_topic=True)
    return text, citations, bool(text), True


__all__ = ["Made", "CheatSheet", "answer", "cheat_sheet", "quiz"]
