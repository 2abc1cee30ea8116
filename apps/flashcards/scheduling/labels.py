"""Short interval labels for the answer buttons ("Good · 4d")."""

from __future__ import annotations

from datetime import datetime, timedelta

from .types import CardState, Scheduler


def format_interval(interval: timedelta) -> str:
    """``10m``, ``1h``, ``4d``, ``3mo``, ``1.2y``: minutes under an hour, hours under a day, days under 30,
    months (of 365/12 days) under 365 days, then years with one decimal (``2y``, not ``2.0y``).
    Under half a minute gives ``<1m``; a negative interval raises ``ValueError``."""
    seconds = interval.total_seconds()
    if seconds < 0:
        raise ValueError(f"interval must not be negative, got {interval!r}")
    minutes = round(seconds / 60)
    if minutes < 1:
        return "<1m"
    if minutes < 60:
        return f"{minutes}m"
    hours = round(seconds / 3600)
    if hours < 24:
        return f"{hours}h"
    days = round(seconds / 86400)
    if days < 30:
        return f"{days}d"
    if days < 365:
        return f"{round(days / (365 / 12))}mo"
    years = f"{days / 365:.1f}".removesuffix(".0")
    return f"{years}y"


def preview_labels(scheduler: Scheduler, state: CardState, now: datetime) -> list[tuple[int, str]]:
    """``[(1, "Again · 10m"), (2, "Hard · 1d"), (3, "Good · 4d"), (4, "Easy · 2mo")]`` for the buttons."""
    preview = scheduler.preview(state, now)
    return [(rating, f"{name} · {format_interval(preview[rating])}") for rating, name in scheduler.ratings()]
