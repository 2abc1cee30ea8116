"""Reads of share links: the owner's own links (404 for anyone else's), and the public lookup by code."""

from django.shortcuts import get_object_or_404

from apps.sharing import codes
from apps.sharing.models import ShareLink


def links_for_user(user):
    return ShareLink.objects.filter(owner=user).select_related("lecture", "document", "document__lecture")


def links_for_lecture(user, lecture):
    return links_for_user(user).filter(lecture=lecture)


def links_for_document(user, document):
    return links_for_user(user).filter(document=document)


def get_link_for_user(user, pk) -> ShareLink:
    return get_object_or_404(links_for_user(user), pk=pk)


def find_link(code: str) -> ShareLink | None:
    """The link a visitor's code opens, by the SHA-256 of the code; None for anything that is not a link."""
    if not codes.plausible(code):
        return None
    return (
        ShareLink.objects.select_related("owner", "lecture", "document", "document__lecture")
        .filter(code_sha256=codes.digest(code))
        .first()
    )
