from datetime import datetime

from ninja import Router, Schema
from ninja.errors import HttpError

from apps.subjects import selectors, services
from apps.subjects.forms import SubjectForm

router = Router(tags=["subjects"])


class SubjectOut(Schema):
    id: int
    name: str
    description: str
    color: str
    icon: str
    lecture_count: int
    pages_processed: int
    cards_due: int
    created_at: datetime


class SubjectIn(Schema):
    name: str
    description: str = ""
    color: str = "#4f46e5"
    icon: str = "book"


@router.get("/", response=list[SubjectOut])
def list_subjects(request):
    return list(selectors.subjects_for_user(request.user))


@router.get("/{subject_id}", response=SubjectOut)
def get_subject(request, subject_id: int):
    return selectors.get_subject_for_user(request.user, subject_id)


@router.post("/", response={201: SubjectOut})
def create_subject(request, payload: SubjectIn):
    form = SubjectForm(data=payload.dict(), user=request.user)
    if not form.is_valid():
        raise HttpError(422, "; ".join(e for errors in form.errors.values() for e in errors))
    try:
        subject = services.create_subject(actor=request.user, **form.cleaned_data)
    except services.DuplicateSubjectName:
        raise HttpError(409, f"You already have a subject called “{form.cleaned_data['name']}”.") from None
    return 201, selectors.get_subject_for_user(request.user, subject.pk)


class SubjectPatch(Schema):
    name: str | None = None
    description: str | None = None
    color: str | None = None
    icon: str | None = None


@router.patch("/{subject_id}", response=SubjectOut)
def update_subject(request, subject_id: int, payload: SubjectPatch):
    subject = selectors.get_subject_for_user(request.user, subject_id)
    current = {"name": subject.name, "description": subject.description, "color": subject.color, "icon": subject.icon}
    form = SubjectForm(data={**current, **payload.dict(exclude_none=True)}, instance=subject, user=request.user)
    if not form.is_valid():
        raise HttpError(422, "; ".join(e for errors in form.errors.values() for e in errors))
    try:
        services.update_subject(actor=request.user, subject=subject, **form.cleaned_data)
    except services.DuplicateSubjectName:
        raise HttpError(409, f"You already have a subject called “{form.cleaned_data['name']}”.") from None
    return selectors.get_subject_for_user(request.user, subject_id)


@router.delete("/{subject_id}", response={204: None})
def delete_subject(request, subject_id: int):
    """Deletes the subject with every lecture, file, document and card in it."""
    services.delete_subject(actor=request.user, subject=selectors.get_subject_for_user(request.user, subject_id))
    return 204, None
