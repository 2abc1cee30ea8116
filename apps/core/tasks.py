"""Small tasks that prove the worker path and keep the system tidy."""

from apps.core.realtime import push_to_user


def ping_user(user_id: int, token: str) -> str:
    """Round-trip probe: the worker pushes an event through the channel layer to the user's sockets."""
    push_to_user(
        user_id,
        "ping",
        html=f'<div id="realtime-ping" hx-swap-oob="true" data-token="{token}"></div>',
        data={"token": token},
    )
    return token


def clean_up_storage() -> dict:
    """Weekly: orphaned files, rows whose file is gone, old failed tasks (apps/core/cleanup.py)."""
    from apps.core import cleanup

    return cleanup.run().summary()
