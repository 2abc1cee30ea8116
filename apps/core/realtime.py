"""Pushes to a user's browser tabs over Channels.

Every open page of a signed-in user holds one websocket in the group `user.<id>`. Events carry HTML fragments
with `hx-swap-oob` so the htmx ws extension swaps them into place, plus a machine-readable name and data.
Call `push_to_user` from services, after the transaction commits (`transaction.on_commit`), so a browser
never sees state that is later rolled back.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def push_to_user(user_id: int, event: str, *, html: str = "", data: dict | None = None) -> None:
    layer = get_channel_layer()
    message = {"type": "user.event", "event": event, "html": html, "data": data or {}}
    try:
        async_to_sync(layer.group_send)(user_group(user_id), message)
    except Exception:  # a realtime hiccup must never fail the work that triggered it
        log.exception("could not push %s to user %s", event, user_id)


async def apush_to_user(user_id: int, event: str, *, html: str = "", data: dict | None = None) -> None:
    layer = get_channel_layer()
    await layer.group_send(
        user_group(user_id), {"type": "user.event", "event": event, "html": html, "data": data or {}}
    )
