"""Test data for chat: lectures with real embeddings, made directly (fast) or through real ingestion."""

from django.test import Client
from django.utils import timezone

from apps.lectures.models import Chunk, Lecture, LecturePage, LectureStatus
from smartnotes import ai

BIOLOGY = [
    "Cell biology. The cell is the basic unit of life. Every living organism is made of one or more cells.",
    "Photosynthesis converts light energy into chemical energy stored in glucose. "
    "In plants it takes place in the chloroplasts, which contain the green pigment chlorophyll.",
    "Mitochondria are the powerhouse of the cell: cellular respiration in the mitochondria turns glucose "
    "and oxygen into ATP, releasing carbon dioxide and water.",
    "ATP synthase uses the proton gradient across the inner mitochondrial membrane to make ATP. "
    "Cyanide blocks complex IV of the electron transport chain, so the gradient collapses.",
]


def make_lecture(user, subject, name="Cell Biology", pages=None) -> Lecture:
    """A completed lecture with one chunk per page, embedded with the configured (local) model."""
    pages = BIOLOGY if pages is None else pages
    lecture = Lecture.objects.create(
        owner=user,
        subject=subject,
        name=name,
        original_filename=f"{name}.md",
        file_type="markdown",
        status=LectureStatus.COMPLETED,
        page_count=len(pages),
        processed_at=timezone.now(),
        embedding_model=ai.embedding_model_id(),
        metadata={"chunks": len(pages)},
    )
    LecturePage.objects.bulk_create(
        [LecturePage(lecture=lecture, number=i, text=text, method="native") for i, text in enumerate(pages, start=1)]
    )
    add_chunks(lecture, pages)
    return lecture


def add_chunks(lecture, texts, *, first_page=1):
    vectors = ai.embed_texts(texts)
    start = Chunk.objects.filter(lecture=lecture).count()
    Chunk.objects.bulk_create(
        [
            Chunk(
                owner_id=lecture.owner_id,
                subject_id=lecture.subject_id,
                lecture=lecture,
                page=first_page + i,
                chunk_index=start + i,
                content_type="text",
                text=text,
                embedding=vectors[i],
            )
            for i, text in enumerate(texts)
        ]
    )


def session_headers(user) -> list[tuple[bytes, bytes]]:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    return [(b"origin", b"http://localhost"), (b"cookie", f"sessionid={cookie}".encode())]
