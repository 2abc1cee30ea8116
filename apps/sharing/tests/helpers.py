"""Test data for share links: a read lecture with page images and a figure, and links made by the service."""

import io

from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from apps.lectures.models import Figure, Lecture, LecturePage, LectureStatus
from apps.sharing import services

PAGES = [
    "Sorting algorithms. Insertion sort builds the sorted list one element at a time.",
    "Merge sort splits the list in halves, sorts each half and merges them in linear time.",
    "Quicksort picks a pivot and partitions the list around it; on average it takes n log n steps.",
]


def png(color=(30, 90, 200), size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(color=(200, 200, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "JPEG")
    return buffer.getvalue()


def read_lecture(user, subject, name="Sorting", pages=PAGES) -> Lecture:
    """A completed lecture with pages (each with a thumbnail) and one figure on page 2; no chunks."""
    lecture = Lecture.objects.create(
        owner=user,
        subject=subject,
        name=name,
        original_filename=f"{name}.pdf",
        file_type="pdf",
        status=LectureStatus.COMPLETED,
        page_count=len(pages),
        processed_at=timezone.now(),
    )
    for number, text in enumerate(pages, start=1):
        page = LecturePage(lecture=lecture, number=number, text=text, method="text")
        page.thumbnail.save(f"page_{number:03d}.jpg", ContentFile(jpeg()), save=False)
        page.save()
    figure = Figure(lecture=lecture, page=2, index=1, width=40, height=30)
    figure.image.save("slide_02_fig_01.png", ContentFile(png()), save=False)
    figure.save()
    return lecture


def share(owner, *, lecture=None, document=None, days=7, **options):
    """(link, code) made as the owner's Share form makes them."""
    created = services.create_link(actor=owner, lecture=lecture, document=document, expires_in_days=days, **options)
    return created.link, created.code


def visitor(address="203.0.113.7") -> Client:
    """An anonymous browser from ``address`` (REMOTE_ADDR, what the rate limits count per IP)."""
    return Client(REMOTE_ADDR=address)


def url(name, code, *args) -> str:
    return reverse(f"share:{name}", args=[code, *args])
