"""Safe rendering of Markdown (model answers, notes) to HTML.

Two layers: python-markdown renders with raw HTML *escaped* (so ``<b>`` in an answer shows as text and a
model explaining HTML is displayed faithfully), then nh3 (ammonia) sanitises the result against a strict
allow-list. ``allow_html=True`` lets allow-listed raw HTML through instead of escaping it; nh3 still runs.

Never allowed: script/style/iframe/img/svg/form elements, ``on*`` and ``style`` attributes, and URLs other
than http, https, mailto and relative ones. Links get ``rel="noopener noreferrer nofollow"``. Images are
not allowed because a prompt-injected answer could use an image URL to leak data to another site.
"""

from __future__ import annotations

import re
import threading

import markdown as _markdown
import nh3

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "ul", "ol", "li", "blockquote",
    "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
    "a", "span",
})  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href"},
    "span": {"class"},
    "code": {"class"},  # fenced code language hint: class="language-python"
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
# Removed together with their content (everything else not allowed is unwrapped, keeping its text).
_DROP_WITH_CONTENT = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "noscript",
    "template",
    "svg",
    "math",
    "textarea",
    "select",
    "title",
    "head",
}

_EXTENSIONS = ["fenced_code", "tables", "sane_lists"]

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=_DROP_WITH_CONTENT,
    # "*": no generic attributes (ammonia would otherwise allow lang and title everywhere).
    attributes={"*": set(), **{tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()}},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    link_rel=LINK_REL,
    strip_comments=True,
)

_local = threading.local()  # Markdown instances are stateful: one per thread


def _renderer(allow_html: bool) -> _markdown.Markdown:
    attr = "html" if allow_html else "escaped"
    md = getattr(_local, attr, None)
    if md is None:
        md = _markdown.Markdown(extensions=_EXTENSIONS, output_format="html")
        if not allow_html:
            # Raw HTML blocks and inline tags become text (escaped) instead of markup.
            md.preprocessors.deregister("html_block")
            md.inlinePatterns.deregister("html")
        setattr(_local, attr, md)
    md.reset()
    return md


_EMPTY_PARAGRAPH = re.compile(r"\n?<p>\s*</p>")
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]!])")


def escape_markdown(text: str) -> str:
    """``text`` (e.g. a lecture name) for an inline position of Markdown we compose, shown literally: on one
    line, no emphasis, code, links or images (``[``, ``]`` and ``!`` escaped), no autolinks or entities
    (``<`` and ``&`` as HTML entities, which render as the characters themselves)."""
    one_line = " ".join(str(text).split())
    return _INLINE_SPECIAL.sub(r"\\\1", one_line.replace("&", "&amp;").replace("<", "&lt;"))


def sanitize_html(html: str) -> str:
    """Sanitise an HTML fragment with the allow-list used by ``render_markdown``."""
    return _EMPTY_PARAGRAPH.sub("", _cleaner.clean(html or ""))


def render_markdown(text: str | None, *, allow_html: bool = False) -> str:
    """Render Markdown to sanitised HTML safe to insert into a page with ``|safe``."""
    if not text:
        return ""
    html = _renderer(allow_html).convert(str(text))
    return sanitize_html(html)
