from datetime import datetime

from django.http import FileResponse
from ninja import Field, File, Form, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from apps.core.api_errors import RateLimited
from apps.lectures import retrieval, selectors, services
from apps.lectures.models import Lecture
from apps.lectures.validation import UploadRejected
from apps.subjects.selectors import get_subject_for_user

router = Router(tags=["lectures"])
NAME_MAX = Lecture._meta.get_field("name").max_length


class LectureOut(Schema):
    id: int
    subject_id: int
    name: str
    file_type: str
    status: str
    error_code: str
    error_message: str
    progress_percent: int
    progress_step: str
    page_count: int | None
    uploaded_at: datetime
    processed_at: datetime | None


class PageOut(Schema):
    number: int
    method: str
    confidence: float | None
    text: str
    notes: str
    start_seconds: float | None  # a transcript's or recording's time window; null for a document's page
    end_seconds: float | None


class HitOut(Schema):
    chunk_id: int
    lecture_id: int
    lecture_name: str
    page: int
    text: str
    score: float


@router.get("/subject/{subject_id}", response=list[LectureOut])
@paginate(PageNumberPagination, page_size=50)
def list_lectures(request, subject_id: int):
    subject = get_subject_for_user(request.user, subject_id)
    return selectors.lectures_for_subject(request.user, subject).order_by("-uploaded_at", "-id")


@router.get("/{lecture_id}", response=LectureOut)
def get_lecture(request, lecture_id: int):
    return selectors.get_lecture_for_user(request.user, lecture_id)


@router.get("/{lecture_id}/pages", response=list[PageOut])
@paginate(PageNumberPagination, page_size=50)
def list_pages(request, lecture_id: int):
    return selectors.get_lecture_for_user(request.user, lecture_id).pages.order_by("number")


@router.get("/{lecture_id}/search", response=list[HitOut])
def search_lecture(request, lecture_id: int, q: str = Query(..., min_length=1), k: int = Query(8, ge=1, le=50)):
    lecture = selectors.get_lecture_for_user(request.user, lecture_id)
    return retrieval.search(request.user, q, lecture_id=lecture.pk, k=k)


class FigureOut(Schema):
    id: int
    page: int
    index: int
    width: int
    height: int
    caption: str


class PasswordIn(Schema):
    password: str = Field(..., min_length=1, max_length=1024)


class ClearedOut(Schema):
    chunks_deleted: int


def _lecture(request, lecture_id):
    return selectors.get_lecture_for_user(request.user, lecture_id)


@router.post("/subject/{subject_id}", response={201: LectureOut})
def upload(request, subject_id: int, file: UploadedFile = File(...), name: str = Form("", max_length=NAME_MAX)):
    """Upload one file (PDF, PPTX, DOCX, Markdown, HTML, image …); reading it starts in the background — poll
    the lecture's status."""
    subject = get_subject_for_user(request.user, subject_id)
    try:
        lecture = services.upload_lecture(actor=request.user, subject=subject, uploaded_file=file, name=name)
    except services.UploadRateLimited as exc:
        raise RateLimited(exc.message, exc.retry_after) from None
    except UploadRejected as exc:
        raise HttpError(422, exc.message) from None
    return 201, lecture


@router.get("/{lecture_id}/figures", response=list[FigureOut])
@paginate(PageNumberPagination, page_size=50)
def list_figures(request, lecture_id: int):
    return _lecture(request, lecture_id).figures.order_by("page", "index", "id")


@router.get("/{lecture_id}/figures/{figure_id}/image")
def figure_image(request, lecture_id: int, figure_id: int):
    figure = selectors.get_figure_for_user(request.user, lecture_id, figure_id)
    return FileResponse(figure.image.open("rb"), filename=f"figure-{figure.page}-{figure.index}.png")


@router.post("/{lecture_id}/retry", response={202: LectureOut})
def retry(request, lecture_id: int):
    """Read a failed or partly read lecture again (409 for one read completely; 429 past the hourly limit)."""
    return 202, _requeued(services.retry_lecture, request, lecture_id)


@router.post("/{lecture_id}/reprocess", response={202: LectureOut})
def reprocess(request, lecture_id: int):
    """Rebuild pages, figures and search memory from the kept original (429 past the hourly limit)."""
    return 202, _requeued(services.reprocess_lecture, request, lecture_id)


def _requeued(action, request, lecture_id: int):
    try:
        return action(actor=request.user, lecture=_lecture(request, lecture_id))
    except services.RequeueRateLimited as exc:
        raise RateLimited(exc.message, exc.retry_after) from None
    except services.RequeueRefused as exc:
        raise HttpError(409, exc.message) from None


@router.post("/{lecture_id}/clear", response=ClearedOut)
def clear(request, lecture_id: int):
    """Forget the lecture's search memory (chunks and embeddings); the file and pages stay."""
    return {"chunks_deleted": services.clear_memory(actor=request.user, lecture=_lecture(request, lecture_id))}


@router.post("/{lecture_id}/password", response={202: LectureOut})
def unlock(request, lecture_id: int, payload: PasswordIn):
    """Open a password-protected PDF (the password is used once and never stored)."""
    lecture = _lecture(request, lecture_id)
    if lecture.error_code not in services.PASSWORD_CODES:
        raise HttpError(409, "This lecture does not need a password.")
    try:
        lecture = services.unlock_with_password(actor=request.user, lecture=lecture, password=payload.password)
    except UploadRejected as exc:
        raise HttpError(422, exc.message) from None
    return 202, lecture


@router.delete("/{lecture_id}", response={204: None})
def delete(request, lecture_id: int):
    services.delete_lecture(actor=request.user, lecture=_lecture(request, lecture_id))
    return 204, None
