"""HTML for chat messages: sanitised Markdown, with in-text citations turned into page links."""

import html
import re

from django.urls import reverse
from django.utils.html import escape, format_html, linebreaks
from django.utils.safestring import SafeString, mark_safe

from smartnotes import ai

# "[Lecture name, p. 7]", "[Lecture name, page 7]", "[Lecture name, pp. 7]", and for a recording "[Lecture
# name, 12:34]" or "[Lecture name, at 1:02:03]"; the name has no brackets.
CITATION_RE = re.compile(
    r"\[([^\[\]\n]{1,200}?),\s*(?:(?:pp?\.|pages?)\s*(\d{1,5})|(?:at\s+)?((?:\d{1,2}:)?\d{1,2}:\d{2}))\]"
)


_TAG_RE = re.compile(r"(<[^>]*>)")
_SKIP_TAG_RE = re.compile(r"<(/?)(?:a|code|pre)\b", re.IGNORECASE)


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def page_url(lecture_id: int, page: int) -> str:
    return reverse("lectures:page", args=[lecture_id, page])


def citation_label(citation: dict, name: str | None = None) -> str:
    """ "Lecture, p. 7", or "Lecture, 12:34" for a passage of a transcript or recording."""
    where = citation.get("time") or f"p. {citation['page']}"
    return f"{name or citation['lecture_name']}, {where}"


def _find(citations: list[dict], name: str, page: str | None, time: str | None) -> dict | None:
    """The citation "[name, p. N]" or "[name, m:ss]" refers to; the model may shorten the lecture name to some
    of its whole words ("Week 2" for "Week 2 lecture", never "Intro" for "Introduction to X"), which is
    accepted when only one cited lecture has that page or time."""
    key = _key(name)
    if not key:
        return None
    within = re.compile(r"(?<!\w)" + re.escape(key) + r"(?!\w)")

    def same_place(c: dict) -> bool:
        return int(c["page"]) == int(page) if page is not None else _same_time(c.get("time"), time)

    exact = [c for c in citations if _key(c["lecture_name"]) == key and same_place(c)]
    if exact:
        return exact[0]
    candidates = [c for c in citations if same_place(c) and within.search(_key(c["lecture_name"]))]
    return candidates[0] if len(candidates) == 1 else None


def _same_time(a: str | None, b: str | None) -> bool:
    """ "05:07" and "5:07" are the same time."""
    if not a or not b:
        return False
    return [int(x) for x in a.split(":")] == [int(x) for x in b.split(":")]


def citation_link(citation: dict, label: str | None = None) -> SafeString:
    """A citation pill that opens the page view in the side panel (and is a plain link without JavaScript)."""
    url = page_url(citation["lecture_id"], citation["page"])
    text = label or citation_label(citation)
    return format_html(
        '<a class="citation" href="{}" hx-get="{}" hx-target="#page-panel-body" hx-swap="innerHTML" '
        'data-page-panel title="{}">{}</a>',
        url,
        url,
        citation.get("snippet", "")[:200],
        text,
    )


def link_citations(rendered_html: str, citations: list[dict], link=citation_link) -> str:
    """Replace "[Lecture, p. N]" (or "[Lecture, 12:34]") in already sanitised HTML with pills, for pages that
    are in ``citations`` (the passages the answer was given). Unknown references stay as text.
    ``link(citation, label=…)`` makes a pill (a shared lecture's answers link to the share's own pages)."""

    def replace(match: re.Match) -> str:
        name = html.unescape(match.group(1)).strip()
        citation = _find(citations, name, match.group(2), match.group(3))
        if citation is None:
            return match.group(0)
        return str(link(citation, label=citation_label(citation, name)))

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
    found: list[dict] = []
    for match in CITATION_RE.finditer(text or ""):
        citation = _find(citations, match.group(1), match.group(2), match.group(3))
        if citation is not None and citation not in found:
            found.append(citation)
    return found


def render_message(message) -> SafeString:
    if message.role == "user":
        return mark_safe(linebreaks(escape(message.content)))  # noqa: S308 - escaped above
    rendered = ai.render_markdown(message.content)
    return mark_safe(link_citations(rendered, message.citations or []))  # noqa: S308 - sanitised by nh3
