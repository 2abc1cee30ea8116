"""Writes of share links: create, revoke, count a view, unlock with a password, admit a visitor's question,
and the daily clean-up."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.sharing import codes, throttling
from apps.sharing.models import EventKind, ShareEvent, ShareLink, ShareMode
from apps.sharing.throttling import Limit, Throttled  # noqa: F401 - raised to callers of this module

PASSWORD_WINDOW = timedelta(minutes=15)
EVENTS_KEPT = timedelta(days=1)  # longer than every rate-limit window


class ShareRefused(ValueError):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class CreatedLink:
    link: ShareLink
    code: str  # shown to the owner once; only its SHA-256 is stored


def _check_target(actor, lecture, document, mode) -> None:
    if (lecture is None) == (document is None):
        raise ValueError("a share link opens exactly one lecture or one document")
    target = lecture or document
    if target.owner_id != actor.pk:
        raise PermissionError("not yours to share")
    if lecture is not None:
        if lecture.role != "lecture":
            raise ShareRefused("Past exams cannot be shared.")
        if lecture.status != "completed":
            raise ShareRefused("This lecture can be shared once it has been read.")
    else:
        if document.status != "completed" or not document.file:
            raise ShareRefused("This document can be shared once it is ready.")
        if mode == ShareMode.PAGES_CHAT:
            raise ShareRefused("Chat can only be shared with a lecture.")


def create_link(
    *, actor, lecture=None, document=None, password: str = "", expires_in_days: int, max_views=None, mode="pages"
) -> CreatedLink:
    _check_target(actor, lecture, document, mode)
    if not 1 <= int(expires_in_days) <= settings.SHARE_MAX_DAYS:
        raise ShareRefused(f"A link can last between 1 and {settings.SHARE_MAX_DAYS} days.")
    if max_views is not None and int(max_views) < 1:
        raise ShareRefused("Allow at least one view, or leave the maximum empty.")
    code = codes.new_code()
    link = ShareLink.objects.create(
        owner=actor,
        lecture=lecture,
        document=document,
        code_sha256=codes.digest(code),
        password_hash=make_password(password) if password else "",
        mode=mode,
        expires_at=timezone.now() + timedelta(days=int(expires_in_days)),
        max_views=max_views,
    )
    return CreatedLink(link, code)


def revoke_link(*, actor, link: ShareLink) -> ShareLink:
    if link.owner_id != actor.pk:
        raise PermissionError("not your link")
    ShareLink.objects.filter(pk=link.pk).update(is_active=False)
    link.is_active = False
    return link


def _open_now(now):
    return Q(is_active=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def count_view(link: ShareLink) -> bool:
    """Count one visitor's first view; False when the link is used up (or was revoked or expired meanwhile).

    One conditional UPDATE: PostgreSQL re-checks the condition on the newest row version after waiting for a
    concurrent update, so with max_views = N exactly N first views get through however many arrive at once."""
    now = timezone.now()
    updated = (
        ShareLink.objects.filter(_open_now(now), pk=link.pk)
        .filter(Q(max_views__isnull=True) | Q(view_count__lt=F("max_views")))
        .update(view_count=F("view_count") + 1, last_accessed_at=now)
    )
    return updated == 1


def touch(link: ShareLink) -> None:
    ShareLink.objects.filter(pk=link.pk).update(last_accessed_at=timezone.now())


def unlock(link: ShareLink, password: str, client: str) -> bool:
    """Check a visitor's password. Raises ``Throttled`` once the link or the client made too many wrong
    attempts in the last 15 minutes — then even the right password waits, so guessing cannot go on."""
    with transaction.atomic():
        ShareLink.objects.select_for_update().filter(pk=link.pk).first()
        throttling.lock_client(client)
        throttling.check(
            link,
            client,
            EventKind.WRONG_PASSWORD,
            per_link=Limit(settings.SHARE_PASSWORD_ATTEMPTS_PER_LINK, PASSWORD_WINDOW),
            per_client=Limit(settings.SHARE_PASSWORD_ATTEMPTS_PER_IP, PASSWORD_WINDOW),
            message="Too many wrong passwords. For safety, try again in {wait}.",
        )
        if check_password(password, link.password_hash):
            return True
        throttling.record(link, client, EventKind.WRONG_PASSWORD)
        return False


def admit_question(link: ShareLink, client: str) -> None:
    """Count a visitor's question against the link's and the client's limits; raises ``Throttled``."""
    with transaction.atomic():
        ShareLink.objects.select_for_update().filter(pk=link.pk).first()
        throttling.lock_client(client)
        throttling.check(
            link,
            client,
            EventKind.QUESTION,
            per_link=Limit(settings.SHARE_CHAT_PER_LINK_PER_HOUR, timedelta(hours=1)),
            per_client=Limit(settings.SHARE_CHAT_PER_IP_PER_MINUTE, timedelta(minutes=1)),
            message="You're asking quickly — this shared lecture takes a limited number of questions. "
            "Try again in {wait}.",
        )
        throttling.record(link, client, EventKind.QUESTION)


def delete_expired_links() -> dict:
    """Daily: delete links past their expiry, and rate-limit events older than every window."""
    now = timezone.now()
    links, _ = ShareLink.objects.filter(expires_at__lte=now).delete()
    events, _ = ShareEvent.objects.filter(created_at__lt=now - EVENTS_KEPT).delete()
    return {"links": links, "events": events}
