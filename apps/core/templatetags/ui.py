import functools
import re

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

register = template.Library()

ICON_DIR = settings.BASE_DIR / "static" / "vendor" / "lucide" / "icons"

SUBJECT_ICONS = {
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
def icon(name: str, size: int = 18, css: str = ""):
    """Inline a vendored Lucide icon so it takes the text colour (currentColor)."""
    svg = _svg(SUBJECT_ICONS.get(name, name))
    if not svg:
        return ""
    svg = re.sub(r'width="\d+"', f'width="{size}"', svg, count=1)
    svg = re.sub(r'height="\d+"', f'height="{size}"', svg, count=1)
    if css:
        svg = svg.replace('class="lucide', f'class="{css} lucide', 1)
    return mark_safe(svg)  # noqa: S308 - our own vendored SVG files, name-checked above
