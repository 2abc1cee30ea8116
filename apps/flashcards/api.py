"""/api/v1/flashcards: cards (CRUD, search, bulk), the due queue and grading, generation jobs, Anki/CSV in and
out. Every write goes through the same services as the pages (cards.py, reviewing.py, services.py, anki_io.py)."""

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpResponse
from ninja import Field, File, Form, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from apps.core.api_errors import RateLimited
from apps.flashcards import anki_io, cards, reviewing, selectors, services
from apps.flashcards.models import CardType
from apps.lectures.selectors import get_lecture_for_user
from apps.subjects.selectors import subjects_for_user

router = Router(tags=["flashcards"])

TEXT = {"min_length": 1, "max_length": cards.MAX_TEXT}
# Tags are cleaned, not refused, for characters: only letters, digits and - : . are kept.
Tag = Annotated[str, Field(max_length=cards.TAG_MAX)]
TAGS = {"max_length": cards.MAX_TAGS, "description": "letters, digits and - : . are kept of each tag"}
PAGE = {"ge": 1, "le": 2**31 - 1, "description": "a page of the card's lecture"}  # the column is a 32-bit integer


class CardOut(Schema):
    id: int
    subject_id: int
    lecture_id: int
    card_type: str
    question: str
    answer: str
    options: list[str]
    source_page: int | None
    tags: list[str]
    origin: str
    suspended: bool
    is_new: bool
    due_at: datetime | None
    review_count: int
    created_at: datetime


class CardIn(Schema):
    lecture_id: int
    question: str = Field(..., **TEXT)
    answer: str = Field(..., **TEXT)
    card_type: Literal[tuple(CardType.values)] = "basic"
    source_page: int | None = Field(None, **PAGE)
    tags: list[Tag] = Field(default_factory=list, **TAGS)
    options: list[Annotated[str, Field(max_length=cards.MAX_TEXT)]] = Field(
        default_factory=list, max_length=4, description="multiple_choice: the four options"
    )


class CardPatch(Schema):
    question: str | None = Field(None, **TEXT)
    answer: str | None = Field(None, **TEXT)
    tags: list[Tag] | None = Field(None, **TAGS)
    source_page: int | None = Field(None, **PAGE)
    suspended: bool | None = None


class BulkIn(Schema):
    card_ids: list[int] = Field(..., min_length=1, max_length=1000)
    action: Literal["suspend", "unsuspend", "delete", "tag", "untag"]
    tag: Tag = Field("", description="for tag and untag")


class CardFilter(Schema):
    lecture_id: int | None = None
    subject_id: int | None = None
    q: str = Field("", max_length=200)
    state: Literal["", "new", "due", "suspended"] = ""


class GradeIn(Schema):
    rating: int = Field(..., ge=1, le=4, description="1 Again, 2 Hard, 3 Good, 4 Easy")
    seen_count: int = Field(..., ge=0, description="the card's review_count when it was shown (conflict check)")
    duration_ms: int | None = Field(None, ge=0, le=2**31 - 1)


class QueueOut(Schema):
    due: int
    new: int
    total: int
    cards: list[CardOut]


class GradeOut(Schema):
    card_id: int
    rating: int
    due_after: datetime | None
    interval_days: float | None
    next: CardOut | None


class CardGenerationIn(Schema):
    lecture_id: int
    count: int = Field(services.CARDS_DEFAULT, ge=services.CARDS_MIN, le=services.CARDS_MAX)


class GenerationOut(Schema):
    id: int
    lecture_id: int
    status: str
    progress_percent: int
    progress_step: str
    requested: int
    created: int
    skipped: int
    made_offline: bool
    notice: str
    error_message: str
    created_at: datetime


class ImportOut(Schema):
    created: int
    skipped: int
    warnings: list[str]


@router.get("/", response=list[CardOut])
@paginate(PageNumberPagination, page_size=50)
def list_cards(request, filters: Query[CardFilter]):
    if filters.lecture_id is not None:
        lecture = get_lecture_for_user(request.user, filters.lecture_id)
        qs = selectors.cards_for_lecture(request.user, lecture, query=filters.q, state=filters.state)
    elif filters.subject_id is not None:
        subject = subjects_for_user(request.user).filter(pk=filters.subject_id).first()
        if subject is None:
            raise HttpError(404, "Not found.")
        qs = selectors.cards_for_subject(request.user, subject, query=filters.q, state=filters.state)
    else:
        qs = selectors.cards_for_user(request.user)
    return qs.order_by("created_at", "id")


@router.post("/", response={201: CardOut})
def create_card(request, payload: CardIn):
    lecture = get_lecture_for_user(request.user, payload.lecture_id)
    try:
        card = cards.create_card(
            actor=request.user, lecture=lecture, **payload.dict(exclude={"lecture_id"}, exclude_none=True)
        )
    except cards.CardRefused as exc:
        raise HttpError(422, str(exc)) from None
    return 201, card


@router.get("/queue", response=QueueOut)
def due_queue(request, subject_id: int | None = None, limit: int = Query(10, ge=1, le=50)):
    """The next cards to review (reviews due first, then today's new cards) and the counts."""
    subject = None
    if subject_id is not None:
        subject = subjects_for_user(request.user).filter(pk=subject_id).first()
        if subject is None:
            raise HttpError(404, "Not found.")
    profile = reviewing.profile_of(request.user)
    counts = selectors.queue_counts(request.user, profile, subject=subject)
    upcoming = selectors.next_cards(request.user, profile, subject=subject, limit=limit)
    return {**counts, "cards": upcoming}


@router.post("/bulk", response=dict)
def bulk(request, payload: BulkIn):
    try:
        changed = cards.bulk_action(
            actor=request.user, card_ids=payload.card_ids, action=payload.action, tag=payload.tag
        )
    except cards.CardRefused as exc:
        raise HttpError(422, str(exc)) from None
    return {"changed": changed}


@router.post("/generations", response={202: GenerationOut, 429: dict})
def generate(request, payload: CardGenerationIn):
    """Make flashcards from a lecture (a background job; poll the generation)."""
    lecture = get_lecture_for_user(request.user, payload.lecture_id)
    try:
        generation = services.request_generation(actor=request.user, lecture=lecture, count=payload.count)
    except services.FlashcardsRefused as exc:
        if exc.retry_after:
            raise RateLimited(exc.message, exc.retry_after) from None
        raise HttpError(422, exc.message) from None
    return 202, generation


@router.get("/generations/{generation_id}", response=GenerationOut)
def get_generation(request, generation_id: int):
    return selectors.get_generation_for_user(request.user, generation_id)


@router.get("/export")
def export(request, subject_id: int, lecture_id: int | None = None, format: Literal["apkg", "csv"] = "apkg"):  # noqa: A002
    subject = subjects_for_user(request.user).filter(pk=subject_id).first()
    if subject is None:
        raise HttpError(404, "Not found.")
    lecture = get_lecture_for_user(request.user, lecture_id) if lecture_id is not None else None
    exported = anki_io.export_deck(actor=request.user, subject=subject, lecture=lecture, fmt=format)
    response = HttpResponse(exported.data, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response


@router.post("/import", response={201: ImportOut})
def import_deck(request, lecture_id: int = Form(...), file: UploadedFile = File(...)):
    """An Anki .apkg or a CSV (front, back[, tags]) into a lecture's cards."""
    lecture = get_lecture_for_user(request.user, lecture_id)
    try:
        result = anki_io.import_deck(actor=request.user, lecture=lecture, uploaded_file=file)
    except anki_io.ImportRefused as exc:
        raise HttpError(422, exc.message) from None
    return 201, result


@router.get("/{card_id}", response=CardOut)
def get_card(request, card_id: int):
    return selectors.get_card_for_user(request.user, card_id)


@router.patch("/{card_id}", response=CardOut)
def update_card(request, card_id: int, payload: CardPatch):
    card = selectors.get_card_for_user(request.user, card_id)
    try:
        if (
            payload.question is not None
            or payload.answer is not None
            or payload.tags is not None
            or payload.source_page
        ):
            card = cards.update_card(
                actor=request.user,
                card=card,
                question=payload.question if payload.question is not None else card.question,
                answer=payload.answer if payload.answer is not None else card.answer,
                tags=payload.tags,
                source_page=payload.source_page,
            )
        if payload.suspended is not None:
            card = cards.set_suspended(actor=request.user, card=card, suspended=payload.suspended)
    except cards.CardRefused as exc:
        raise HttpError(422, str(exc)) from None
    return card


@router.delete("/{card_id}", response={204: None})
def delete_card(request, card_id: int):
    cards.delete_card(actor=request.user, card=selectors.get_card_for_user(request.user, card_id))
    return 204, None


@router.post("/{card_id}/grade", response={200: GradeOut, 409: dict})
def grade(request, card_id: int, payload: GradeIn, subject_id: int | None = None):
    """Grade a card shown with ``seen_count`` = its review_count; a card graded since (another device) is a 409."""
    selectors.get_card_for_user(request.user, card_id)  # another user's card: 404, nothing changes
    profile = reviewing.profile_of(request.user)
    try:
        log = reviewing.grade_card(
            actor=request.user,
            card_id=card_id,
            rating=payload.rating,
            seen_count=payload.seen_count,
            duration_ms=payload.duration_ms,
            scope_subject_id=subject_id,
            profile=profile,
        )
    except reviewing.ReviewConflict:
        raise HttpError(409, "That card was already graded (on another device?).") from None
    subject = subjects_for_user(request.user).filter(pk=subject_id).first() if subject_id else None
    upcoming = selectors.next_cards(request.user, profile, subject=subject, limit=1)
    return {
        "card_id": card_id,
        "rating": log.rating,
        "due_after": log.due_after,
        "interval_days": log.interval_days,
        "next": upcoming[0] if upcoming else None,
    }
