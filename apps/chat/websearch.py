"""Optional web search for chat answers, through the ``ddgs`` metasearch library.

``search_web`` is the only function that touches the network; tests replace it (monkeypatch) and the chat
never depends on it: any failure raises ``WebSearchUnavailable`` and the answer goes on from the notes.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from apps.chat.prompts import WebResult

log = logging.getLogger(__name__)

TIMEOUT_S = 5
MAX_RESULTS = 4
UNAVAILABLE_NOTICE = "Web search is unavailable right now; answering from your notes only"


class WebSearchUnavailable(Exception):
    pass


def _clean(results) -> list[WebResult]:
    cleaned = []
    for item in results or ():
        if not isinstance(item, dict):
            continue
        url = str(item.get("href") or item.get("url") or "").strip()
        if urlsplit(url).scheme not in ("http", "https"):
            continue
        title = " ".join(str(item.get("title") or url).split())[:200]
        snippet = " ".join(str(item.get("body") or item.get("snippet") or "").split())[:600]
        cleaned.append(WebResult(title=title, url=url[:500], snippet=snippet))
    return cleaned


def search_web(query: str, *, max_results: int = MAX_RESULTS) -> list[WebResult]:
    """Web results for ``query``; raises ``WebSearchUnavailable`` when the search cannot be done."""
    try:
        from ddgs import DDGS
    except ImportError as exc:  # pragma: no cover - ddgs is in requirements/base.txt
        raise WebSearchUnavailable("the ddgs package is not installed") from exc
    try:
        raw = DDGS(timeout=TIMEOUT_S).text(query, max_results=max_results, safesearch="moderate")
    except Exception as exc:  # the library raises its own errors, httpx/primp errors, DNS errors...
        log.info("web search failed: %s: %s", type(exc).__name__, exc)
        raise WebSearchUnavailable(str(exc)) from exc
    results = _clean(raw)[:max_results]
    if not results:
        raise WebSearchUnavailable("no web results")
    return results
