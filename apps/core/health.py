"""Checks behind /healthz. Each returns None when healthy or a short reason when not."""

import asyncio
import tempfile
import uuid

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_pgvector():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        row = cursor.fetchone()
    if row is None:
        return "the vector extension is not installed (run migrations)"
    return None


def check_storage():
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=settings.MEDIA_ROOT, prefix=".healthz-") as handle:
        handle.write(b"ok")
        handle.flush()


def check_worker():
    from django_q.status import Stat

    clusters = [stat for stat in Stat.get_all() if stat.status not in ("Stopped", "Stopping")]
    if not clusters:
        return "no worker cluster has reported in the last few seconds (is `manage.py qcluster` running?)"
    return None


async def check_channel_layer():
    layer = get_channel_layer()
    if layer is None:
        return "no channel layer configured"
    channel = await layer.new_channel()
    token = uuid.uuid4().hex
    await layer.send(channel, {"type": "health.check", "token": token})
    message = await asyncio.wait_for(layer.receive(channel), timeout=5)
    return None if message.get("token") == token else "the channel layer returned a different message"


CHECKS = {
    "database": check_database,
    "pgvector": check_pgvector,
    "storage": check_storage,
    "worker": check_worker,
}


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def run_sync_checks() -> dict[str, str]:
    results = {}
    for name, check in CHECKS.items():
        try:
            problem = check()
        except Exception as exc:  # any failure of a dependency is reported, never raised
            problem = _describe(exc)
        results[name] = problem or "ok"
    return results


async def run_checks() -> dict[str, str]:
    results = await sync_to_async(run_sync_checks, thread_sensitive=True)()
    try:
        problem = await asyncio.wait_for(check_channel_layer(), timeout=8)
    except Exception as exc:
        problem = _describe(exc) or "timed out"
    results["channel_layer"] = problem or "ok"
    return results
