"""Checks behind /healthz.

Each part is "ok" or a short reason. A failed database, pgvector, storage, worker or channel layer means the node
is down (503); an unreachable model endpoint only degrades it (200): every feature has an offline fallback.
"""

import asyncio
import tempfile
import time
import uuid
import weakref
from urllib.parse import urlsplit, urlunsplit

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection

from smartnotes import ai
from smartnotes.ai.probe import aprobe_endpoint

CHANNEL_LAYER_TIMEOUT_S = 5.0
# channels-postgres drops a message that arrives before its receiver holds the channel's lock (a fresh
# receiver subscribes with a database round trip): the check says it again until it is heard.
RESEND_EVERY_S = 0.25
# A load balancer polls often; the model endpoint is asked at most this often per configuration.
AI_PROBE_CACHE_S = 15.0


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


CHECKS = {
    "database": check_database,
    "pgvector": check_pgvector,
    "storage": check_storage,
    "worker": check_worker,
}


# -- channel layer -------------------------------------------------------------------------------------

# One health channel per event loop and layer, reused by every check: a consumer's channel lives as long as its
# socket, and a channel per check would leave a queue and a database lock behind each time.
_channels: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict]" = weakref.WeakKeyDictionary()
_locks: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]" = weakref.WeakKeyDictionary()


async def _health_channel(layer) -> str:
    per_loop = _channels.setdefault(asyncio.get_running_loop(), {})
    if layer not in per_loop:
        per_loop[layer] = await layer.new_channel(prefix="healthz")
    return per_loop[layer]


async def _heard(layer, channel: str, token: str) -> None:
    while True:
        message = await layer.receive(channel)
        if message.get("token") == token:  # anything else is a late echo of an earlier check
            return


async def check_channel_layer():
    """A message sent through the layer comes back, as a page's socket receives its events."""
    layer = get_channel_layer()
    if layer is None:
        return "no channel layer configured"
    channel = await _health_channel(layer)
    lock = _locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    token = uuid.uuid4().hex
    async with lock:
        listener = asyncio.ensure_future(_heard(layer, channel, token))
        try:
            while True:
                await layer.send(channel, {"type": "health.check", "token": token})
                done, _ = await asyncio.wait({listener}, timeout=RESEND_EVERY_S)
                if done:
                    listener.result()
                    return None
        finally:
            listener.cancel()


# -- AI --------------------------------------------------------------------------------------------------

_probes: dict[tuple, tuple[float, str | None]] = {}


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    if parts.username or parts.password:
        parts = parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port else ""))
    return urlunsplit(parts)


async def _probe(ai_settings, purpose: str) -> str | None:
    key = (ai_settings, purpose)
    cached = _probes.get(key)
    if cached and time.monotonic() - cached[0] < AI_PROBE_CACHE_S:
        return cached[1]
    problem = await aprobe_endpoint(ai_settings, purpose)
    _probes[key] = (time.monotonic(), problem)
    return problem


def ai_details(ai_settings) -> dict:
    return {
        "mode": "offline" if ai_settings.offline else "online",
        "endpoint": _without_credentials(ai_settings.openai_base_url) or None,
        "chat_model": ai_settings.chat_model or None,
        "generation_model": ai_settings.generation_model or None,
        "embeddings": ai_settings.embedding_model_id,
        # True once this web process holds the local model (loaded at start-up; None with remote embeddings).
        "embeddings_loaded": ai.local_model_loaded(ai_settings),
        "embedding_endpoint": (
            _without_credentials(ai_settings.embedding_base_url) if ai_settings.embedding_backend == "openai" else None
        ),
        "timeout_s": ai_settings.request_timeout_s,
        "max_retries": ai_settings.max_retries,
    }


async def check_ai() -> tuple[str, str, dict]:
    """(state, reason, details); state is "ok", "degraded" (endpoint unreachable) or "down" (bad settings)."""
    try:
        ai_settings = ai.get_settings()
    except ValueError as exc:  # every chat page and every upload would fail
        return "down", f"invalid AI settings: {exc}"[:300], {}
    details = ai_details(ai_settings)
    probes = []
    if not ai_settings.offline:
        probes.append(("chat endpoint", "chat"))
    if ai_settings.embedding_backend == "openai" and (
        ai_settings.offline or ai_settings.embedding_base_url != ai_settings.openai_base_url
    ):
        probes.append(("embedding endpoint", "embeddings"))
    elif ai_settings.embedding_backend == "openai":
        details["embedding_endpoint"] = "same as the chat endpoint"
    problems = []
    for label, purpose in probes:
        problem = await _probe(ai_settings, purpose)
        if problem:
            problems.append(f"{label}: {problem}")
    if problems:
        fallback = "answers fall back to offline mode" if not ai_settings.offline else "uploads cannot be indexed"
        return "degraded", f"{'; '.join(problems)} ({fallback})"[:500], details
    return "ok", "ok", details


# -- all of it -----------------------------------------------------------------------------------------


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


async def _channel_layer_state() -> str:
    try:
        problem = await asyncio.wait_for(check_channel_layer(), timeout=CHANNEL_LAYER_TIMEOUT_S)
    except TimeoutError:
        problem = f"a message sent through the channel layer did not come back within {CHANNEL_LAYER_TIMEOUT_S:g} s"
    except Exception as exc:
        problem = _describe(exc)
    return problem or "ok"


async def run_checks() -> dict:
    """{"status": "ok"|"degraded"|"down", "down": [...], "degraded": [...], "checks": {...}, "ai": {...}}"""
    sync_results, channel_state, (ai_state, ai_reason, details) = await asyncio.gather(
        sync_to_async(run_sync_checks, thread_sensitive=True)(), _channel_layer_state(), check_ai()
    )
    checks = {**sync_results, "channel_layer": channel_state, "ai": ai_reason}
    down = [name for name, state in checks.items() if state != "ok" and name != "ai"]
    degraded = []
    if ai_state == "down":
        down.append("ai")
    elif ai_state == "degraded":
        degraded.append("ai")
    status = "down" if down else "degraded" if degraded else "ok"
    return {"status": status, "down": down, "degraded": degraded, "checks": checks, "ai": details}
