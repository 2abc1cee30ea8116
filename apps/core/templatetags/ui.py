import functools
import re

from django import template
from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

ICON_DIR = settings.BASE_DIR / "static" / "vendor" / "lucide" / "icons"

ALIASES = {
    # subject icon choices
    "book": "book-open",
    "flask": "flask-conical",
    "calculator": "calculator",
    "code": "code",
    "globe": "globe",
    "landmark": "landmark",
    "palette": "palette",
    "music": "music",
    "heart": "heart-pulse",
    "scale": "scale",
    "chart": "chart-line",
    "language": "languages",
    # short names used across templates
    "alert": "triangle-alert",
    "cards": "layers",
    "chat": "message-square",
    "edit": "pencil",
    "home": "house",
    "quiz": "list-checks",
    "refresh": "refresh-cw",
    "trash": "trash-2",
}


@functools.cache
def _svg(name: str) -> str:
    path = ICON_DIR / f"{name}.svg"
    if not re.fullmatch(r"[a-z0-9-]+", name) or not path.exists():
        return ""
    svg = re.sub(r"<!--.*?-->", "", path.read_text(), flags=re.S).strip()
    svg = re.sub(r"\s+", " ", svg)
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


@register.simple_tag
def icon(name: str, size: int = 18, css: str = "", label: str = ""):
    """Inline a vendored Lucide icon so it takes the text colour (currentColor).

    Decorative by default (aria-hidden); with `label` it becomes a labelled image.
    """
    svg = _svg(ALIASES.get(name, name))
    if not svg:
        return ""
    svg = re.sub(r'width="\d+"', f'width="{int(size)}"', svg, count=1)
    svg = re.sub(r'height="\d+"', f'height="{int(size)}"', svg, count=1)
    svg = svg.replace('class="lucide', f'class="icon {escape(css)} lucide' if css else 'class="icon lucide', 1)
    if label:
        svg = svg.replace('aria-hidden="true"', f'role="img" aria-label="{escape(label)}"', 1)
    return mark_safe(svg)  # noqa: S308 - our own vendored SVG files, name-checked; attributes escaped
