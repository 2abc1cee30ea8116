"""Card-generation status: stored on the row and pushed to the owner's open pages."""

from django.template.loader import render_to_string

from apps.core.realtime import push_to_user
from apps.flashcards.models import CardGeneration


def render_status(generation: CardGeneration, *, oob: bool = True) -> str:
    return render_to_string("flashcards/_generation.html", {"generation": generation, "oob": oob})


def push_status(generation: CardGeneration) -> None:
    data = {"generation": generation.pk, "status": generation.status, "percent": generation.progress_percent}
    push_to_user(generation.owner_id, "cards.status", html=render_status(generation), data=data)
