"""/api/v1/documents: generate (a job), status, versions, download, delete; quizzes: questions without their
answers, submit an attempt, the review. Writes go through apps/documents/services like the pages do."""

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from apps.core.api_errors import RateLimited
from apps.documents import selectors, services
from apps.documents.views import file_response
from apps.lectures.selectors import get_lecture_for_user

router = Router(tags=["documents"])


class DocumentOut(Schema):
    id: int
    subject_id: int
    lecture_id: int
    doc_type: str
    format: str
    version: int
    status: str
    progress_percent: int
    progress_step: str
    error_code: str
    error_message: str
    options: dict
    made_offline: bool
    file_name: str
    file_size: int
    created_at: datetime
    processed_at: datetime | None


class DocumentOptionsIn(Schema):
    """Each kind reads its own options and ignores the others'; an option left out takes its default."""

    length: Literal[1, 2] = Field(1, description="cheat_sheet: pages")
    include_figures: bool = Field(True, description="cheat_sheet: figures from the slides")
    questions: int = Field(
        services.QUIZ_DEFAULT, ge=services.QUIZ_MIN, le=services.QUIZ_MAX, description="quiz: how many questions"
    )
    answer_key: bool = Field(True, description="quiz: an answer key at the end of the PDF")


# Named for the documents: a second "GenerateIn" (flashcards) would replace this one in the OpenAPI components.
class DocumentGenerateIn(Schema):
    lecture_id: int
    doc_type: Literal["cheat_sheet", "quiz", "past_paper"]
    options: DocumentOptionsIn = Field(default_factory=DocumentOptionsIn)


class DocumentFilter(Schema):
    lecture_id: int | None = None
    doc_type: Literal["cheat_sheet", "quiz", "past_paper"] | None = None


class QuizQuestionOut(Schema):
    index: int
    question: str
    options: list[str]


class QuizOut(Schema):
    document_id: int
    title: str
    questions: list[QuizQuestionOut]


class AttemptIn(Schema):
    answers: list[Annotated[int, Field(ge=0, le=3)] | None] = Field(
        ...,
        max_length=services.QUIZ_MAX,
        description="per question, the picked option index (0-3), or null when skipped",
    )
    started_at: datetime | None = None


class ReviewItemOut(Schema):
    index: int
    question: str
    options: list[str]
    correct: int
    picked: int | None
    right: bool
    explanation: str
    page: int | None


class AttemptOut(Schema):
    id: int
    document_id: int
    correct: int
    total: int
    score: float
    started_at: datetime
    finished_at: datetime
    review: list[ReviewItemOut]


def _attempt_out(attempt) -> dict:
    questions = attempt.document.content.get("questions", [])
    review = []
    for i, q in enumerate(questions):
        pick = attempt.answers[i] if i < len(attempt.answers) else None
        review.append(
            {
                "index": i,
                "question": q["question"],
                "options": q["options"],
                "correct": q["correct"],
                "picked": pick,
                "right": pick == q["correct"],
                "explanation": q.get("explanation", ""),
                "page": q.get("page"),
            }
        )
    return {
        "id": attempt.pk,
        "document_id": attempt.document_id,
        "correct": attempt.correct,
        "total": attempt.total,
        "score": attempt.score,
        "started_at": attempt.started_at,
        "finished_at": attempt.finished_at,
        "review": review,
    }


@router.get("/", response=list[DocumentOut])
@paginate(PageNumberPagination, page_size=50)
def list_documents(request, filters: Query[DocumentFilter]):
    """Your documents, newest first: every version of every kind (filter by lecture and kind)."""
    if filters.lecture_id is not None:
        docs = selectors.documents_for_lecture(request.user, get_lecture_for_user(request.user, filters.lecture_id))
    else:
        docs = selectors.documents_for_user(request.user)
    if filters.doc_type:
        docs = docs.filter(doc_type=filters.doc_type)
    return docs.order_by("-created_at", "-id")


@router.post("/", response={202: DocumentOut})
def generate(request, payload: DocumentGenerateIn):
    """Start generating a new version (a background job: poll the document until completed or failed)."""
    lecture = get_lecture_for_user(request.user, payload.lecture_id)
    try:
        document = services.request_document(
            actor=request.user,
            lecture=lecture,
            doc_type=payload.doc_type,
            options=payload.options.dict(exclude_unset=True),
        )
    except services.GenerationRateLimited as exc:
        raise RateLimited(str(exc), exc.retry_after) from None
    except services.GenerationRefused as exc:
        raise HttpError(422, str(exc)) from None
    return 202, document


@router.get("/{document_id}", response=DocumentOut)
def get_document(request, document_id: int):
    return selectors.get_document_for_user(request.user, document_id)


@router.get("/{document_id}/file")
def download(request, document_id: int, format: Literal["docx", "pdf"] | None = None):  # noqa: A002
    """The file (a past paper also as PDF with ``format=pdf``); 404 until it is completed."""
    document = selectors.get_document_for_user(request.user, document_id)
    return file_response(document, format or document.format)


@router.post("/{document_id}/retry", response={202: DocumentOut})
def retry(request, document_id: int):
    """Queue a failed document again (a finished one is returned as it is)."""
    document = selectors.get_document_for_user(request.user, document_id)
    return 202, services.retry_document(actor=request.user, document=document)


@router.delete("/{document_id}", response={204: None})
def delete(request, document_id: int):
    services.delete_document(actor=request.user, document=selectors.get_document_for_user(request.user, document_id))
    return 204, None


@router.get("/{document_id}/quiz", response=QuizOut)
def take_quiz(request, document_id: int):
    """The questions and options of a completed quiz, without the answers."""
    document = selectors.get_quiz_for_user(request.user, document_id)
    if document.status != "completed":
        raise HttpError(409, "This quiz is not ready yet.")
    questions = document.content.get("questions", [])
    return {
        "document_id": document.pk,
        "title": document.content.get("title", ""),
        "questions": [
            {"index": i, "question": q["question"], "options": q["options"]} for i, q in enumerate(questions)
        ],
    }


@router.post("/{document_id}/attempts", response={201: AttemptOut})
def submit_attempt(request, document_id: int, payload: AttemptIn):
    """Score your answers (recorded as a quiz attempt and a study session) and get the review."""
    document = selectors.get_quiz_for_user(request.user, document_id)
    if document.status != "completed":
        raise HttpError(409, "This quiz is not ready yet.")
    try:
        attempt = services.record_quiz_attempt(
            actor=request.user, document=document, answers=payload.answers, started_at=payload.started_at
        )
    except services.GenerationRefused as exc:
        raise HttpError(422, str(exc)) from None
    return 201, _attempt_out(attempt)


@router.get("/{document_id}/attempts", response=list[AttemptOut])
@paginate(PageNumberPagination, page_size=20)
def list_attempts(request, document_id: int):
    document = selectors.get_quiz_for_user(request.user, document_id)
    return [_attempt_out(a) for a in selectors.attempts_for_quiz(request.user, document)]


@router.get("/{document_id}/attempts/{attempt_id}", response=AttemptOut)
def get_attempt(request, document_id: int, attempt_id: int):
    return _attempt_out(selectors.get_attempt_for_user(request.user, document_id, attempt_id))
