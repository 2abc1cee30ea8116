"""The <form> elements of a rendered page, as a browser would submit them, and bodies that carry any text.

``forms_in`` reads every form (plain or htmx: ``hx-post``/``hx-get``) with its fields and their current values;
``encode_pairs`` and ``multipart_body`` encode name/value pairs the way a broken client might, a lone surrogate as
the invalid UTF-8 bytes it becomes on the wire (Django's test client refuses to encode those).
"""

import uuid
from dataclasses import dataclass, field
from urllib.parse import quote_plus, urljoin, urlsplit

import lxml.html

NOT_TEXT = {"submit", "button", "image", "reset", "file"}


@dataclass
class Form:
    page: str
    method: str
    action: str
    multipart: bool
    htmx: bool
    pairs: list[tuple[str, str]] = field(default_factory=list)  # what the form sends as it is
    names: list[str] = field(default_factory=list)  # every field a client can set, buttons with a name included

    def key(self) -> tuple:
        return (self.method, urlsplit(self.action).path, tuple(sorted(self.names)))

    def pairs_with(self, name: str, value: str) -> list[tuple[str, str]]:
        """The form's pairs with the first ``name`` set to ``value`` (added when the form sends none, e.g. a
        button's name)."""
        pairs, done = [], False
        for key, current in self.pairs:
            if key == name and not done:
                pairs.append((key, value))
                done = True
            else:
                pairs.append((key, current))
        return pairs if done else [*pairs, (name, value)]


def _value(element) -> str | None:
    """What the element sends as it is, or None when it sends nothing (an unchecked box, a button)."""
    tag = element.tag
    if tag == "textarea":
        return element.text or ""
    if tag == "select":
        options = element.findall(".//option")
        chosen = [o for o in options if o.get("selected") is not None] or options[:1]
        return (chosen[0].get("value", chosen[0].text_content()) if chosen else "") or ""
    kind = (element.get("type") or "text").lower()
    if kind in ("checkbox", "radio"):
        return element.get("value", "on") if element.get("checked") is not None else None
    if kind in NOT_TEXT:
        return None
    return element.get("value", "")


def forms_in(html: bytes, page: str) -> list[Form]:
    if not html.strip():
        return []
    document = lxml.html.fromstring(html)
    found = []
    for element in document.iter("form"):
        hx_post, hx_get = element.get("hx-post"), element.get("hx-get")
        method = "post" if hx_post is not None else "get" if hx_get is not None else element.get("method", "get")
        action = hx_post or hx_get or element.get("action") or page
        form = Form(
            page=page,
            method=method.lower(),
            action=urljoin(page, action),
            multipart=(element.get("enctype") or "").lower() == "multipart/form-data",
            htmx=hx_post is not None or hx_get is not None,
        )
        for control in element.iter("input", "textarea", "select", "button"):
            name = control.get("name")
            if not name or control.get("disabled") is not None or control.get("type") == "file":
                continue
            value = _value(control)
            if value is not None:
                form.pairs.append((name, value))
            if name not in form.names and name != "csrfmiddlewaretoken":
                form.names.append(name)
        found.append(form)
    return found


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def encode_pairs(pairs) -> str:
    return "&".join(f"{quote_plus(_bytes(k))}={quote_plus(_bytes(v))}" for k, v in pairs)


def multipart_body(pairs) -> tuple[bytes, str]:
    """(body, content type) for text fields and file-like values (with ``name`` and ``content_type``)."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in pairs:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
        if hasattr(value, "read"):
            value.seek(0)
            head += f'; filename="{value.name}"\r\nContent-Type: {value.content_type}'
            data = value.read()
        else:
            data = _bytes(str(value))
        parts.append(head.encode() + b"\r\n\r\n" + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"
