"""/api/v1/share-links: create a link to a lecture or a document, list yours, revoke one (apps/sharing/services)."""

from datetime import datetime
from typing import Literal

from django.conf import settings
from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from apps.documents.selectors import get_document_for_user
from apps.lectures.selectors import get_lecture_for_user
from apps.sharing import selectors, services
from apps.sharing.forms import ShareLinkForm
from apps.sharing.models import ShareMode

_FORM = ShareLinkForm.base_fields

router = Router(tags=["share links"])


class LinkIn(Schema):
    lecture_id: int | None = Field(None, description="share a lecture's pages …")
    document_id: int | None = Field(None, description="… or a generated document")
    password: str = Field(
        "",
        # As the Share form: none, or 4 to 128 characters.
        pattern=rf"^(?:[\s\S]{{{_FORM['password'].min_length},}})?$",
        max_length=_FORM["password"].max_length,
        description="empty for none; visitors must enter it first",
    )
    expires_in_days: int = Field(7, ge=1, le=settings.SHARE_MAX_DAYS, description="at most SHARE_MAX_DAYS")
    max_views: int | None = Field(None, ge=1, le=_FORM["max_views"].max_value)
    mode: Literal[tuple(ShareMode.values)] = Field(
        "pages", description="chat: visitors may also ask the lecture questions"
    )


class LinkOut(Schema):
    id: int
    lecture_id: int | None
    document_id: int | None
    target_name: str
    mode: str
    state: str
    has_password: bool
    expires_at: datetime | None
    max_views: int | None
    view_count: int
    created_at: datetime
    last_accessed_at: datetime | None

    @staticmethod
    def resolve_state(link) -> str:
        return link.state() if callable(getattr(link, "state", None)) else link["state"]


class CreatedOut(LinkOut):
    url: str = Field(..., description="the link itself: shown this once, only its SHA-256 is stored")


@router.post("/", response={201: CreatedOut})
def create(request, payload: LinkIn):
    if (payload.lecture_id is None) == (payload.document_id is None):
        raise HttpError(422, "Give either lecture_id or document_id.")
    lecture = get_lecture_for_user(request.user, payload.lecture_id) if payload.lecture_id is not None else None
    document = get_document_for_user(request.user, payload.document_id) if payload.document_id is not None else None
    try:
        created = services.create_link(
            actor=request.user,
            lecture=lecture,
            document=document,
            password=payload.password,
            expires_in_days=payload.expires_in_days,
            max_views=payload.max_views,
            mode=payload.mode,
        )
    except services.ShareRefused as exc:
        raise HttpError(422, exc.message) from None
    url = request.build_absolute_uri(reverse("share:view", args=[created.code]))
    return 201, {**LinkOut.from_orm(created.link).dict(), "url": url}


@router.get("/", response=list[LinkOut])
@paginate(PageNumberPagination, page_size=50)
def list_links(request, lecture_id: int | None = None):
    links = selectors.links_for_user(request.user)
    if lecture_id is not None:
        links = selectors.links_for_lecture(request.user, get_lecture_for_user(request.user, lecture_id))
    return links.order_by("-created_at", "-id")


@router.get("/{link_id}", response=LinkOut)
def get_link(request, link_id: int):
    return selectors.get_link_for_user(request.user, link_id)


@router.post("/{link_id}/revoke", response=LinkOut)
def revoke(request, link_id: int):
    """The link stops working at once, for every page and file under it."""
    link = services.revoke_link(actor=request.user, link=selectors.get_link_for_user(request.user, link_id))
    return link
