"""Is the configured model endpoint reachable? One short ``GET /models`` with no retries, for health checks."""

from __future__ import annotations

import openai

from .clients import get_async_client
from .config import AISettings

# A health check must answer quickly even when the endpoint hangs.
MAX_PROBE_SECONDS = 3.0


async def aprobe_endpoint(settings: AISettings, purpose: str = "chat") -> str | None:
    """None when the endpoint of ``purpose`` ("chat" or "embeddings") answers and serves the configured
    model, else a short reason. Never raises."""
    timeout = min(settings.request_timeout_s, MAX_PROBE_SECONDS)
    client = get_async_client(settings, purpose).with_options(timeout=timeout, max_retries=0)
    wanted = settings.embedding_model if purpose == "embeddings" else settings.chat_model
    try:
        page = await client.models.list()
    except openai.APITimeoutError:
        return f"the endpoint did not answer within {timeout:g} s"
    except openai.APIConnectionError as exc:
        return f"cannot connect to the endpoint ({exc.__cause__ or exc})"[:300]
    except openai.APIStatusError as exc:
        if exc.status_code == 404:  # answers, but does not list models: reachable is all we can tell
            return None
        if exc.status_code in (401, 403):
            return f"the endpoint refused the API key (HTTP {exc.status_code})"
        return f"the endpoint answered HTTP {exc.status_code}"
    except Exception as exc:  # a malformed answer is a problem to report, not a crash of the health check
        return f"unexpected answer from the endpoint ({type(exc).__name__})"
    served = {model.id for model in page.data}
    if served and wanted not in served:
        return f"the endpoint does not serve the model {wanted!r} (it serves {', '.join(sorted(served)[:5])})"
    return None
