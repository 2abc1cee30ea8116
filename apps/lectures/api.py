from datetime import datetime

from ninja import Router, Schema

from apps.lectures import retrieval, selectors
from apps.subjects.selectors import get_subject_for_user

router = Router(tags=["lectures"])


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


class HitOut(Schema):
    chunk_id: int
    lecture_id: int
    lecture_name: str
    page: int
    text: str
    score: float


@router.get("/subject/{subject_id}", response=list[LectureOut])
def list_lectures(request, subject_id: int):
    subject = get_subject_for_user(request.user, subject_id)
    return list(selectors.lectures_for_subject(request.user, subject))


@router.get("/{lecture_id}", response=LectureOut)
def get_lecture(request, lecture_id: int):
    return selectors.get_lecture_for_user(request.user, lecture_id)


@router.get("/{lecture_id}/pages", response=list[PageOut])
def list_pages(request, lecture_id: int):
    return list(selectors.get_lecture_for_user(request.user, lecture_id).pages.all())


@router.get("/{lecture_id}/search", response=list[HitOut])
def search_lecture(request, lecture_id: int, q: str, k: int = 8):
    lecture = selectors.get_lecture_for_user(request.user, lecture_id)
    return retrieval.search(request.user, q, lecture_id=lecture.pk, k=min(max(k, 1), 50))
