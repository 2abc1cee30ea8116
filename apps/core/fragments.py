"""Rendered template fragments cached under a digest of exactly the values they render.

``{% cachedfragment name=value … %}…{% endcachedfragment %}`` (apps/core/templatetags/ui.py) renders its body in a
context holding only the named values, so nothing else can reach the output, and stores the result under a
digest of those values (a model instance counts with every field and annotation loaded on it and the related
objects cached on it). A renamed subject, a new message or another user's rows are other keys: an entry is never
stale and needs no invalidation. The cache is the per-process, bounded ``fragments`` alias.

What the body may not do, because its output would then depend on more than its values: read the clock
(``timesince``, ``now``: pass the computed string instead) or run queries. A miss that loads something new on an
instance (a deferred field, a related object) is rendered but not stored. ``{% csrf_token %}`` is allowed: the
body renders a placeholder, replaced by the request's own token on the way out, so no token is ever cached.
"""

import datetime
import decimal
import hashlib
import itertools
import uuid

from django.core.cache import caches
from django.db.models import Model, QuerySet
from django.db.models.fields.files import FieldFile
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.functional import LazyObject, empty

CSRF_PLACEHOLDER = "csrf-placeholder-4f1c9a7e"
_serials = itertools.count(1)
_SCALARS = (str, int, float, bool, type(None), decimal.Decimal, datetime.date, datetime.time, uuid.UUID)


def new_serial() -> int:
    """A number for one compiled fragment: a template compiled again (its source changed) gets new keys."""
    return next(_serials)


def with_csrf_token(html: str, token: str) -> str:
    if token == "NOTPROVIDED":  # noqa: S105 - what {% csrf_token %} renders as nothing
        return html.replace(f'<input type="hidden" name="csrfmiddlewaretoken" value="{CSRF_PLACEHOLDER}">', "")
    return html.replace(CSRF_PLACEHOLDER, token)


def cache():
    return caches["fragments"]


def digest(values: dict) -> str:
    """A digest of ``values``: plain data, lists, dicts, querysets (evaluated), model instances and their files.
    Raises TypeError for anything else."""
    h = hashlib.blake2b(digest_size=20)
    h.update(repr((timezone.get_current_timezone_name(), translation.get_language(), get_script_prefix())).encode())
    _feed(h, values, {})
    return h.hexdigest()


def unchanged(values: dict, key: str) -> bool:
    """Whether ``values`` still have the digest that ends ``key`` (rendering loaded no field or relation)."""
    try:
        return key.endswith(":" + digest(values))
    except TypeError:
        return False


def _feed(h, value, seen: dict) -> None:
    if isinstance(value, LazyObject):  # request.user
        if value._wrapped is empty:
            value._setup()
        value = value._wrapped
    if isinstance(value, _SCALARS):
        h.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, FieldFile):
        _feed(h, value.name, seen)  # the same as the name it replaces in the instance once read
    elif isinstance(value, Model):
        if id(value) in seen:
            h.update(f"ref:{seen[id(value)]};".encode())
            return
        seen[id(value)] = len(seen)
        h.update(f"model:{value._meta.label}{{".encode())
        for name, item in sorted(value.__dict__.items()):
            if name != "_state":
                h.update(f"{name}=".encode())
                _feed(h, item, seen)
        h.update(b"related:")
        _feed(h, dict(value._state.fields_cache), seen)
        h.update(b"}")
    elif isinstance(value, dict):
        h.update(b"{")
        for key in sorted(value, key=str):
            h.update(f"{key!r}:".encode())
            _feed(h, value[key], seen)
        h.update(b"}")
    elif isinstance(value, list | tuple | QuerySet):
        h.update(b"[")
        for item in value:
            _feed(h, item, seen)
        h.update(b"]")
    else:
        raise TypeError(f"cachedfragment cannot key a {type(value).__name__}: pass plain values or model instances")
