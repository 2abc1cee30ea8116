"""The gate every request under a share link passes, files included: the link must exist (by the SHA-256 of
its code), be active and unexpired, be unlocked in this browser session when it has a password, and have a
view left or already have counted this session's view. Nothing is cached: a revoked link stops at once.

What the session remembers is per link: ``share_unlocked`` (passwords entered) and ``share_viewed`` (views
counted), lists of link ids."""

from dataclasses import dataclass

from django.utils import timezone

from apps.sharing import selectors, services
from apps.sharing.models import LinkState, ShareLink

UNLOCKED = "share_unlocked"
VIEWED = "share_viewed"


class Gone(Exception):
    """Invalid, revoked, expired or used up: all look the same to the visitor."""


class Locked(Exception):
    def __init__(self, link: ShareLink):
        self.link = link
        super().__init__("password required")


@dataclass(frozen=True)
class Access:
    link: ShareLink
    code: str
    is_owner: bool

    @property
    def lecture(self):
        return self.link.lecture

    @property
    def document(self):
        return self.link.document


def _ids(request, key) -> list[int]:
    return list(request.session.get(key, []))


def _remember(request, key, link_id) -> None:
    ids = _ids(request, key)
    if link_id not in ids:
        request.session[key] = [*ids, link_id][-200:]
    if not request.user.is_authenticated:
        request.session.set_expiry(0)  # a visitor's unlocks end with the browser session


def find_open_link(code: str) -> ShareLink:
    """The link if it is active, unexpired and its content is still there; ``Gone`` otherwise."""
    link = selectors.find_link(code)
    if link is None or link.state(timezone.now()) in (LinkState.REVOKED, LinkState.EXPIRED):
        raise Gone
    if link.lecture_id and (link.lecture.status != "completed" or link.lecture.role != "lecture"):
        raise Gone
    if link.document_id and (link.document.status != "completed" or not link.document.file):
        raise Gone
    return link


def is_unlocked(request, link: ShareLink) -> bool:
    return not link.has_password or link.pk in _ids(request, UNLOCKED)


def mark_unlocked(request, link: ShareLink) -> None:
    _remember(request, UNLOCKED, link.pk)


def enter(request, code: str, *, touch: bool = True) -> Access:
    """Let this request in, or raise ``Gone`` / ``Locked``. The first admitted request of a session counts
    one view (the owner's own visits never count); later ones only record the access time (``touch``)."""
    link = find_open_link(code)
    if not is_unlocked(request, link):
        raise Locked(link)
    is_owner = request.user.is_authenticated and request.user.pk == link.owner_id
    if link.pk in _ids(request, VIEWED) or is_owner:
        if touch and not is_owner:
            services.touch(link)
    elif services.count_view(link):
        _remember(request, VIEWED, link.pk)
    else:
        raise Gone
    return Access(link=link, code=code, is_owner=is_owner)
