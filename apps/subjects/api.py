from datetime import datetime
from typing import Literal

from django.db.models.functions import Lower
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from apps.subjects import selectors, services
from apps.subjects.forms import SubjectForm
from apps.subjects.models import Subject, SubjectIcon, hex_colour

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


def _limit(name: str) -> int:
    return Subject._meta.get_field(name).max_length


Icon = Literal[tuple(SubjectIcon.values)]
NAME = {"min_length": 1, "max_length": _limit("name"), "description": "unique among your subjects (any case)"}
DESCRIPTION = {"max_length": _limit("description")}
COLOR = {"pattern": hex_colour.regex.pattern, "max_length": _limit("color"), "description": "hex colour, e.g. #4f46e5"}


class SubjectIn(Schema):
    name: str = Field(..., **NAME)
    description: str = Field("", **DESCRIPTION)
    color: str = Field("#4f46e5", **COLOR)
    icon: Icon = "book"


@router.get("/", response=list[SubjectOut])
@paginate(PageNumberPagination, page_size=50)
def list_subjects(request):
    return selectors.subjects_for_user(request.user).order_by(Lower("name"), "id")


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
    name: str | None = Field(None, **NAME)
    description: str | None = Field(None, **DESCRIPTION)
    color: str | None = Field(None, **COLOR)
    icon: Icon | None = None


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
