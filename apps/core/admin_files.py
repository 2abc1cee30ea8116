"""Private files in the admin: shown by name and size, never linked or replaced.

The files have no URL (apps/core/storage.py), and Django's file widget and read-only display both build a link
from ``url``, so model admins leave file fields out of their forms and show ``file_label`` instead.
"""

from django.template.defaultfilters import filesizeformat


def file_label(fieldfile) -> str:
    if not fieldfile:
        return "—"
    try:
        return f"{fieldfile.name} ({filesizeformat(fieldfile.size)})"
    except FileNotFoundError:
        return f"{fieldfile.name} (missing on disk)"
