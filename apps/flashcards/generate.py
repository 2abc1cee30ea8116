"""The flashcard-generation run for one lecture: material → cards (model or extractive) → store new ones.

A job of the shared runner (apps/jobs). Cards the lecture already has (kept, edited, imported) are never
added twice: every card carries a key of its normalised question and answer.
"""

import logging
from dataclasses import replace

from apps.documents.material import lecture_material
from apps.flashcards import cards as card_service
from apps.flashcards.jobs import GENERATE_CARDS
from apps.flashcards.models import CardGeneration, CardOrigin, Flashcard
from apps.jobs import runner
from apps.lectures.models import Figure
from smartnotes.generation.errors import GenerationError
from smartnotes.generation.types import Material

log = logging.getLogger(__name__)


def run(generation_id: int, token: str) -> str:
    return runner.execute(GENERATE_CARDS, generation_id, token, _work)


def _draft_row(draft) -> dict:
    return {
        "card_type": draft.card_type,
        "question": draft.front,
        "answer": draft.back,
        "options": list(draft.options or []),
        "page": draft.page,
        "figure_page": draft.figure.page if draft.figure is not None else None,
    }


def _only_pages(material: Material, pages: set[int]) -> Material:
    return replace(
        material,
        passages=[p for p in material.passages if p.page in pages],
        figures=[f for f in material.figures if f.page in pages],
        page_texts={n: t for n, t in material.page_texts.items() if n in pages},
    )


def _work(generation: CardGeneration, tracker: runner.ProgressTracker) -> None:
    lecture = generation.lecture
    tracker.update("material", 0, 1, "Reading your notes", force=True)
    material = lecture_material(lecture)
    if generation.pages:
        material = _only_pages(material, set(generation.pages))
    if not any(p.text.strip() for p in material.passages):
        raise runner.JobFailed("no_text", "This lecture has no readable text to make flashcards from.")
    from smartnotes.generation import cards as card_generation

    # the cards the lecture already has (kept, edited, imported): the generator makes other ones, not near copies
    have = Flashcard.objects.filter(lecture=lecture).values_list("question", "answer")
    try:
        made = card_generation.make_cards(
            material,
            n=generation.requested,
            existing_keys={card_generation.card_key(question, answer) for question, answer in have},
            seed=generation.pk,
            progress=lambda done, total, step: tracker.update("generate", done, total, step),
        )
    except GenerationError as exc:
        raise runner.JobFailed(exc.code, exc.message) from exc
    tracker.update("store", 0, 1, "Saving the cards", force=True)
    # the widest figure of each page (the last one wins in the dict)
    figures = dict(Figure.objects.filter(lecture=lecture).order_by("page", "width").values_list("page", "pk"))
    with runner.current_run(GENERATE_CARDS, generation.pk, generation.task_id):
        created, skipped = card_service.add_cards(
            actor=generation.owner,
            lecture=lecture,
            drafts=[_draft_row(d) for d in made.value],
            origin=CardOrigin.GENERATED,
            figures_by_page=figures,
        )
        generation.created, generation.skipped = created, skipped
        generation.made_offline, generation.notice = made.offline, made.notice[:300]
        runner.mark_completed(GENERATE_CARDS, generation, step=f"{created} new cards")
    log.info("cards for lecture %s: %s new, %s already there", lecture.pk, created, skipped)
