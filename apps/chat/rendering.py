"""HTML for chat messages: sanitised Markdown, with in-text citations turned into page links."""

import html
import re

from django.urls import reverse
from django.utils.html import escape, format_html, linebreaks
from django.utils.safestring import SafeString, mark_safe

from smartnotes import ai

# "[Lecture name, p. 7]", "[Lecture name, page 7]", "[Lecture name, pp. 7]"; the name has no brackets.
CITATION_RE = re.compile(r"\[([^\[\]\n]{1,200}?),\s*(?:pp?\.|pages?)\s*(\d{1,5})\]")


_TAG_RE = re.compile(r"(<[^>]*>)")
_SKIP_TAG_RE = re.compile(r"<(/?)(?:a|code|pre)\b", re.IGNORECASE)


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def page_url(lecture_id: int, page: int) -> str:
    return reverse("lectures:page", args=[lecture_id, page])


def citation_link(citation: dict, label: str | None = None) -> SafeString:
    """A citation pill that opens the page view in the side panel (and is a plain link without JavaScript)."""
    url = page_url(citation["lecture_id"], citation["page"])
    text = label or f"{citation['lecture_name']}, p. {citation['page']}"
    return format_html(
        '<a class="citation" href="{}" hx-get="{}" hx-target="#page-panel-body" hx-swap="innerHTML" '
        'data-page-panel title="{}">{}</a>',
        url,
        url,
        citation.get("snippet", "")[:200],
        text,
    )


def link_citations(rendered_html: str, citations: list[dict]) -> str:
    """Replace "[Lecture, p. N]" in already sanitised HTML with pills, for pages that are in ``citations``
    (the passages the answer was given). Unknown references stay as text."""
    by_key = {(_key(c["lecture_name"]), int(c["page"])): c for c in citations}
    by_page: dict[int, list[dict]] = {}
    for c in citations:
        by_page.setdefault(int(c["page"]), []).append(c)

    def replace(match: re.Match) -> str:
        name = html.unescape(match.group(1)).strip()
        page = int(match.group(2))
        citation = by_key.get((_key(name), page))
        if citation is None:
            # The model may shorten the lecture name; accept it when only one cited lecture has that page.
            candidates = [c for c in by_page.get(page, []) if _key(name) in _key(c["lecture_name"])]
            citation = candidates[0] if len(candidates) == 1 else None
        if citation is None:
            return match.group(0)
        return str(citation_link(citation, label=f"{name}, p. {page}"))

    # Only in text between tags, and never inside links or code.
    parts = _TAG_RE.split(rendered_html)
    depth = 0
    for i, part in enumerate(parts):
        if i % 2:  # a tag
            match = _SKIP_TAG_RE.match(part)
            if match:
                depth += -1 if match.group(1) else 1
            continue
        if depth <= 0 and "[" in part:
            parts[i] = CITATION_RE.sub(replace, part)
    return "".join(parts)


def cited_in(text: str, citations: list[dict]) -> list[dict]:
    """The citations that ``text`` refers to with "[Lecture, p. N]", in order of first mention."""
    by_key = {(_key(c["lecture_name"]), int(c["page"])): c for c in citations}
    found: list[dict] = []
    for match in CITATION_RE.finditer(text or ""):
        name, page = _key(match.group(1)), int(match.group(2))
        citation = by_key.get((name, page))
        if citation is None:
            candidates = [c for c in citations if int(c["page"]) == page and name in _key(c["lecture_name"])]
            citation = candidates[0] if len(candidates) == 1 else None
        if citation is not None and citation not in found:
            found.append(citation)
    return found


def render_message(message) -> SafeString:
    if message.role == "user":
        return mark_safe(linebreaks(escape(message.content)))  # noqa: S308 - escaped above
    rendered = ai.render_markdown(message.content)
    return mark_safe(link_citations(rendered, message.citations or []))  # noqa: S308 - sanitised by nh3
