"""Every /api/v1 operation, read from the OpenAPI schema, for three personas plus another user's token.

The owner (with a bearer token) gets an answer that is neither an auth error nor a 404 nor a 5xx; an anonymous
caller gets the JSON 401; another user's token gets a 404 for the owner's objects, never sees the owner's data
in a list, and changes nothing. A new endpoint must get a sample request in ``SAMPLES`` or this test fails.
"""

import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.chat.models import Conversation
from apps.documents.models import GeneratedDocument, QuizAttempt
from apps.flashcards.models import CardGeneration, Flashcard
from apps.lectures.models import Chunk, Figure, Lecture, LecturePage
from apps.sharing import services as services_sharing
from apps.sharing.models import ShareLink
from apps.study.models import StudySession
from apps.subjects.models import Subject
from tests.api_clients import token_client
from tests.factories import FlashcardFactory, GeneratedDocumentFactory, LectureFactory, SubjectFactory, tiny_pdf

pytestmark = pytest.mark.django_db
# Answering runs database work on other threads: those need committed data.
THREADED = {
    ("post", "/api/v1/chat/conversations/{conversation_id}/messages"),
    ("post", "/api/v1/chat/conversations/{conversation_id}/stream"),
}
MARK = "OWNERMARK"
PUBLIC = {("post", "/api/v1/auth/token"), ("post", "/api/v1/auth/refresh")}
# Operations on the caller's own account (not on an object of someone else's): another user's token acts on
# its own account there, which is right; the test still checks it sees and changes nothing of the owner's.
OWN_ACCOUNT = {("post", "/api/v1/auth/logout"), ("get", "/api/v1/auth/devices"), ("delete", "/api/v1/auth/devices")}


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="PNG")
    return out.getvalue()


def _world(user):
    """One of everything, owned by ``user``, each carrying MARK where it has text."""
    subject = SubjectFactory(user=user, name=f"{MARK} subject")
    lecture = LectureFactory(owner=user, subject=subject, name=f"{MARK} lecture", status="completed", page_count=2)
    LecturePage.objects.create(lecture=lecture, number=1, text=f"{MARK} cells and tissues", method="native")
    Chunk.objects.create(
        owner=user, subject=subject, lecture=lecture, page=1, chunk_index=0, content_type="text", text=f"{MARK} cells"
    )
    figure = Figure(lecture=lecture, page=1, index=0, width=8, height=8, caption=MARK)
    figure.image.save("f.png", ContentFile(_png()), save=True)
    quiz = GeneratedDocumentFactory(lecture=lecture)
    attempt = QuizAttempt.objects.create(
        owner=user, document=quiz, answers=[0], correct=1, total=4, score=25, started_at=quiz.created_at
    )
    card = FlashcardFactory(lecture=lecture, question=f"{MARK} question?", answer=f"{MARK} answer.")
    generation = CardGeneration.objects.create(owner=user, lecture=lecture, requested=10, status="failed")
    conversation = Conversation.objects.create(owner=user, subject=subject, lecture=lecture, title=f"{MARK} chat")
    link = services_sharing.create_link(actor=user, lecture=lecture, expires_in_days=3).link
    StudySession.objects.create(
        user=user, subject=subject, lecture=lecture, session_type="quiz", score=40, started_at=link.created_at,
        metadata={"questions": [{"page": 1, "right": False}]},
    )  # fmt: skip
    return {
        "subject_id": subject.pk,
        "lecture_id": lecture.pk,
        "figure_id": figure.pk,
        "document_id": quiz.pk,
        "attempt_id": attempt.pk,
        "card_id": card.pk,
        "generation_id": generation.pk,
        "conversation_id": conversation.pk,
        "link_id": link.pk,
    }


def _counts(user) -> dict:
    return {
        model.__name__: model.objects.filter(**{field: user}).count()
        for model, field in (
            (Subject, "user"),
            (Lecture, "owner"),
            (GeneratedDocument, "owner"),
            (QuizAttempt, "owner"),
            (Flashcard, "owner"),
            (Conversation, "owner"),
            (ShareLink, "owner"),
            (StudySession, "user"),
        )
    }


def _json(body):
    return {"data": json.dumps(body), "content_type": "application/json"}


# (method, path) → (query, body factory taking the ids). Bodies are valid, so ownership is what decides.
SAMPLES = {
    ("post", "/api/v1/auth/logout"): ({}, None),
    ("get", "/api/v1/auth/devices"): ({}, None),
    ("delete", "/api/v1/auth/devices"): ({}, None),
    ("delete", "/api/v1/auth/devices/{device_id}"): ({}, None),
    ("get", "/api/v1/subjects/"): ({}, None),
    ("post", "/api/v1/subjects/"): ({}, lambda ids: _json({"name": "New subject"})),
    ("get", "/api/v1/subjects/{subject_id}"): ({}, None),
    ("patch", "/api/v1/subjects/{subject_id}"): ({}, lambda ids: _json({"description": "changed"})),
    ("delete", "/api/v1/subjects/{subject_id}"): ({}, None),
    ("get", "/api/v1/lectures/subject/{subject_id}"): ({}, None),
    (
        "post",
        "/api/v1/lectures/subject/{subject_id}",
    ): ({}, lambda ids: {"data": {"file": SimpleUploadedFile("w.pdf", tiny_pdf("x"), content_type="application/pdf")}}),
    ("get", "/api/v1/lectures/{lecture_id}"): ({}, None),
    ("delete", "/api/v1/lectures/{lecture_id}"): ({}, None),
    ("get", "/api/v1/lectures/{lecture_id}/pages"): ({}, None),
    ("get", "/api/v1/lectures/{lecture_id}/search"): ({"q": "cells"}, None),
    ("get", "/api/v1/lectures/{lecture_id}/figures"): ({}, None),
    ("get", "/api/v1/lectures/{lecture_id}/figures/{figure_id}/image"): ({}, None),
    ("post", "/api/v1/lectures/{lecture_id}/retry"): ({}, None),
    ("post", "/api/v1/lectures/{lecture_id}/reprocess"): ({}, None),
    ("post", "/api/v1/lectures/{lecture_id}/clear"): ({}, None),
    ("post", "/api/v1/lectures/{lecture_id}/password"): ({}, lambda ids: _json({"password": "secret"})),
    ("get", "/api/v1/chat/conversations"): ({}, None),
    ("post", "/api/v1/chat/conversations"): ({}, lambda ids: _json({"lecture_id": ids["lecture_id"]})),
    ("get", "/api/v1/chat/conversations/{conversation_id}"): ({}, None),
    ("patch", "/api/v1/chat/conversations/{conversation_id}"): ({}, lambda ids: _json({"title": "Renamed"})),
    ("delete", "/api/v1/chat/conversations/{conversation_id}"): ({}, None),
    ("post", "/api/v1/chat/conversations/{conversation_id}/messages"): ({}, lambda ids: _json({"question": "Cells?"})),
    ("post", "/api/v1/chat/conversations/{conversation_id}/stream"): ({}, lambda ids: _json({"question": "Cells?"})),
    ("get", "/api/v1/documents/"): ({}, None),
    ("post", "/api/v1/documents/"): ({}, lambda ids: _json({"lecture_id": ids["lecture_id"], "doc_type": "quiz"})),
    ("get", "/api/v1/documents/{document_id}"): ({}, None),
    ("delete", "/api/v1/documents/{document_id}"): ({}, None),
    ("get", "/api/v1/documents/{document_id}/file"): ({}, None),
    ("post", "/api/v1/documents/{document_id}/retry"): ({}, None),
    ("get", "/api/v1/documents/{document_id}/quiz"): ({}, None),
    ("get", "/api/v1/documents/{document_id}/attempts"): ({}, None),
    ("post", "/api/v1/documents/{document_id}/attempts"): ({}, lambda ids: _json({"answers": [0, 1, 2, 3]})),
    ("get", "/api/v1/documents/{document_id}/attempts/{attempt_id}"): ({}, None),
    ("get", "/api/v1/flashcards/"): ({}, None),
    (
        "post",
        "/api/v1/flashcards/",
    ): ({}, lambda ids: _json({"lecture_id": ids["lecture_id"], "question": "Q?", "answer": "A."})),
    ("get", "/api/v1/flashcards/queue"): ({}, None),
    ("post", "/api/v1/flashcards/bulk"): ({}, lambda ids: _json({"card_ids": [ids["card_id"]], "action": "suspend"})),
    ("post", "/api/v1/flashcards/generations"): ({}, lambda ids: _json({"lecture_id": ids["lecture_id"]})),
    ("get", "/api/v1/flashcards/generations/{generation_id}"): ({}, None),
    ("get", "/api/v1/flashcards/export"): ({"subject_id": "{subject_id}"}, None),
    (
        "post",
        "/api/v1/flashcards/import",
    ): (
        {},
        lambda ids: {
            "data": {
                "lecture_id": ids["lecture_id"],
                "file": SimpleUploadedFile("c.csv", b"front,back\nQ1,A1\n", content_type="text/csv"),
            }
        },
    ),
    ("get", "/api/v1/flashcards/{card_id}"): ({}, None),
    ("patch", "/api/v1/flashcards/{card_id}"): ({}, lambda ids: _json({"answer": "changed"})),
    ("delete", "/api/v1/flashcards/{card_id}"): ({}, None),
    ("post", "/api/v1/flashcards/{card_id}/grade"): ({}, lambda ids: _json({"rating": 3, "seen_count": 0})),
    ("post", "/api/v1/share-links/"): ({}, lambda ids: _json({"lecture_id": ids["lecture_id"], "password": "pass"})),
    ("get", "/api/v1/share-links/"): ({}, None),
    ("get", "/api/v1/share-links/{link_id}"): ({}, None),
    ("post", "/api/v1/share-links/{link_id}/revoke"): ({}, None),
    ("get", "/api/v1/study/sessions"): ({}, None),
    ("get", "/api/v1/study/dashboard"): ({}, None),
}


def _operations():
    import django

    django.setup()
    from smartnotes.api import api

    return [
        (method, path)
        for path, ops in api.get_openapi_schema()["paths"].items()
        for method in ops
        if method != "parameters"
    ]


OPERATIONS = _operations()


def test_every_operation_has_a_sample():
    missing = sorted(set(OPERATIONS) - PUBLIC - set(SAMPLES))
    assert not missing, f"add a sample request for these API operations: {missing}"
    assert not set(SAMPLES) - set(OPERATIONS), "samples for operations that no longer exist"


def _call(client, method, path, ids, sample):
    query, body = sample
    url = path.format(**ids)
    query = {k: str(v).format(**ids) for k, v in query.items()}
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    kwargs = body(ids) if body else {}
    return getattr(client, method)(url, **kwargs)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param(*op, marks=[pytest.mark.django_db(transaction=True)] if op in THREADED else [])
        for op in sorted(SAMPLES)
    ],
    ids=lambda v: v,
)
def test_personas(method, path, user, other_user, password):
    owner_api, other_api = token_client(user, password), token_client(other_user, password)
    ids = _world(user)
    from allauth.usersessions.models import UserSession

    ids["device_id"] = UserSession.objects.filter(user=user).values_list("pk", flat=True).first()
    sample = SAMPLES[(method, path)]

    anonymous = _call(Client(), method, path, ids, sample)
    assert anonymous.status_code == 401, (anonymous.status_code, anonymous.content[:200])
    assert anonymous.json()["code"] in ("unauthenticated",)

    before = _counts(user)
    other = _call(other_api, method, path, ids, sample)
    body = b"" if other.streaming else other.content
    assert other.status_code < 500
    assert MARK.encode() not in body, f"{method} {path} showed the owner's data to another user"
    if "{" in path and (method, path) not in OWN_ACCOUNT:
        assert other.status_code == 404, (other.status_code, body[:300])
        assert other.json()["code"] == "not_found"
    assert _counts(user) == before, f"{method} {path} with another user's token changed the owner's data"

    owner = _call(owner_api, method, path, ids, sample)
    assert owner.status_code < 500, owner.content[:500]
    assert owner.status_code not in (401, 403, 404, 405), (owner.status_code, owner.content[:300])
    # A sample fits the schema: a 422 may only be a refusal of the service (no field "errors"), never the schema's.
    assert owner.streaming or not (owner.status_code == 422 and "errors" in owner.json()), owner.content[:300]
