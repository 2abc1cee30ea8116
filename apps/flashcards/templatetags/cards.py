"""How a card's text is shown: cloze deletions hidden on the front and highlighted on the back."""

import re

from django import template
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()
CLOZE = re.compile(r"\{\{c\d+::(.*?)(?:::(.*?))?\}\}", re.S)
BLANK = "____"


def _render(text: str, replace) -> str:
    out, last = [], 0
    for match in CLOZE.finditer(text):
        out.append(conditional_escape(text[last : match.start()]))
        out.append(replace(match))
        last = match.end()
    out.append(conditional_escape(text[last:]))
    return mark_safe("".join(str(part) for part in out).replace("\n", "<br>"))  # noqa: S308 - parts escaped


@register.filter
def cloze_front(text: str) -> str:
    """``{{c1::term::hint}}`` → a visible gap (with the hint, if any); other text escaped."""

    def gap(match):
        hint = match.group(2)
        return format_html_join("", '<span class="cloze-gap">[{}]</span>', [(hint or "…",)])

    return _render(text or "", gap)


@register.filter
def cloze_back(text: str) -> str:
    def shown(match):
        return format_html_join("", '<mark class="cloze-answer">{}</mark>', [(match.group(1),)])

    return _render(text or "", shown)


@register.filter
def card_text(text: str) -> str:
    """Plain card text with line breaks kept."""
    return mark_safe(conditional_escape(text or "").replace("\n", "<br>"))  # noqa: S308 - escaped first
