"""Document status: stored on the row (so a reload shows it) and pushed to the owner's open pages."""

from django.template.loader import render_to_string

from apps.core.realtime import push_to_user
from apps.documents.models import GeneratedDocument


def render_status(document: GeneratedDocument, *, oob: bool = True) -> str:
    return render_to_string("documents/_status.html", {"document": document, "oob": oob})


def push_status(document: GeneratedDocument) -> None:
    data = {
        "document": document.pk,
        "status": document.status,
        "percent": document.progress_percent,
        "step": document.progress_step,
        "error_code": document.error_code,
    }
    push_to_user(document.owner_id, "document.status", html=render_status(document), data=data)
