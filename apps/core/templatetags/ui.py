import functools
import re

from django import template
from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import mark_safe

from apps.core import fragments

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
    return _icon(str(name), int(size), str(css), str(label))


@functools.lru_cache(maxsize=1024)
def _icon(name: str, size: int, css: str, label: str):
    svg = _svg(ALIASES.get(name, name))
    if not svg:
        return ""
    svg = re.sub(r'width="\d+"', f'width="{size}"', svg, count=1)
    svg = re.sub(r'height="\d+"', f'height="{size}"', svg, count=1)
    svg = svg.replace('class="lucide', f'class="icon {escape(css)} lucide' if css else 'class="icon lucide', 1)
    if label:
        svg = svg.replace('aria-hidden="true"', f'role="img" aria-label="{escape(label)}"', 1)
    return mark_safe(svg)  # noqa: S308 - our own vendored SVG files, name-checked; attributes escaped


class CachedFragmentNode(template.Node):
    def __init__(self, nodelist, values):
        self.nodelist = nodelist
        self.values = values
        self.serial = fragments.new_serial()

    def render(self, context):
        values = {name: value.resolve(context) for name, value in self.values.items()}
        token = context.get("csrf_token")
        try:
            key = f"fragment:{self.serial}:{token is not None}:{fragments.digest(values)}"
        except TypeError:
            return self._render(context, values, token)  # a value it cannot key: rendered, never cached
        html = fragments.cache().get(key)
        if html is None:
            html = self._render(context, values, fragments.CSRF_PLACEHOLDER if token is not None else None)
            if fragments.unchanged(values, key):  # the body loaded nothing new on its values
                fragments.cache().set(key, html)
        if token is not None and fragments.CSRF_PLACEHOLDER in html:
            html = fragments.with_csrf_token(html, str(token))
        return mark_safe(html)  # noqa: S308 - rendered by the template engine, autoescaped

    def _render(self, context, values, token):
        isolated = template.Context(dict(values), autoescape=context.autoescape, use_l10n=context.use_l10n)
        isolated.template = context.template
        if token is not None:
            isolated["csrf_token"] = token
        return self.nodelist.render(isolated)


@register.tag
def cachedfragment(parser, token):
    """``{% cachedfragment name=value … %}…{% endcachedfragment %}``: the body sees only these values and is
    cached under their digest (apps/core/fragments.py explains what the body may and may not do)."""
    bits = token.split_contents()[1:]
    values = template.base.token_kwargs(bits, parser, support_legacy=False)
    if bits:
        raise template.TemplateSyntaxError("cachedfragment takes only name=value arguments")
    nodelist = parser.parse(("endcachedfragment",))
    parser.delete_first_token()
    return CachedFragmentNode(nodelist, values)


@register.filter
def startswith(value, prefix) -> bool:
    return str(value).startswith(str(prefix))
