"""Rate limits of share links, exact across processes: the count and the new event happen under a lock.

Per link, the link's row lock serialises; per client (IP address, across all links) a transaction-scoped
advisory lock does. Locks are always taken in that order (link, then client), so two requests cannot deadlock.
"""

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.sharing.models import ShareEvent


class Throttled(Exception):
    def __init__(self, message: str, retry_after: int):
        self.message = message
        self.retry_after = retry_after
        super().__init__(message)


@dataclass(frozen=True)
class Limit:
    count: int
    window: timedelta


def client_key(request) -> str:
    """An HMAC of the client's address: countable, but not the address itself. Behind a reverse proxy run
    Daphne with --proxy-headers so REMOTE_ADDR is the visitor's address."""
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    key = hmac.new(settings.SECRET_KEY.encode(), b"share-client:" + address.encode(), hashlib.sha256)
    return key.hexdigest()


def lock_client(client: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", ["share-client:" + client])


def retry_after(events, limit: Limit, now) -> int | None:
    """Seconds until ``events`` (a queryset of one kind) fall below ``limit`` again; None when under it."""
    recent = list(
        events.filter(created_at__gt=now - limit.window)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[: limit.count]
    )
    if len(recent) < limit.count:
        return None
    # The window frees up when the oldest of the last `limit.count` events leaves it.
    return max(1, math.ceil((recent[-1] + limit.window - now).total_seconds()))


def check(link, client: str, kind: str, *, per_link: Limit, per_client: Limit, message: str) -> None:
    """Raise ``Throttled`` when the link or the client is over its limit for ``kind``. Call inside a
    transaction that holds the link's row lock and ``lock_client(client)``."""
    now = timezone.now()
    waits = [
        retry_after(ShareEvent.objects.filter(link=link, kind=kind), per_link, now),
        retry_after(ShareEvent.objects.filter(client=client, kind=kind), per_client, now),
    ]
    waits = [w for w in waits if w is not None]
    if waits:
        wait = max(waits)
        raise Throttled(message.format(wait=_duration(wait)), wait)


def record(link, client: str, kind: str) -> None:
    ShareEvent.objects.create(link=link, client=client, kind=kind)


def _duration(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"
