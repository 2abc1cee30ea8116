"""/api/v1/flashcards: CRUD, pagination, queue and grading, generation, export/import — through a bearer token,
and never across users."""

import io
import json
import zipfile

import pytest

from apps.flashcards.models import CardGeneration, Flashcard, ReviewLog
from tests.factories import FlashcardFactory, LectureFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/flashcards"


def _json(client, method, url, body=None):
    return getattr(client, method)(url, json.dumps(body) if body is not None else None, content_type="application/json")


def test_create_read_update_delete(api, lecture):
    created = _json(api, "post", f"{API}/", {"lecture_id": lecture.pk, "question": "Q?", "answer": "A.", "tags": ["t"]})
    assert created.status_code == 201, created.content
    card = created.json()
    assert (card["question"], card["source_page"], card["is_new"], card["tags"]) == ("Q?", None, True, ["t"])
    assert api.get(f"{API}/{card['id']}").json()["answer"] == "A."
    patched = _json(api, "patch", f"{API}/{card['id']}", {"answer": "B.", "suspended": True})
    assert (patched.json()["answer"], patched.json()["suspended"]) == ("B.", True)
    assert Flashcard.objects.get(pk=card["id"]).edited
    assert api.delete(f"{API}/{card['id']}").status_code == 204
    assert api.get(f"{API}/{card['id']}").status_code == 404


def test_bad_input_is_a_4xx_with_the_error_shape(api, lecture):
    page_out = _json(
        api, "post", f"{API}/", {"lecture_id": lecture.pk, "question": "Q", "answer": "A", "source_page": 99}
    )
    assert page_out.status_code == 422
    assert page_out.json()["code"] == "invalid" and "no page 99" in page_out.json()["detail"]
    empty = _json(api, "post", f"{API}/", {"lecture_id": lecture.pk, "question": "", "answer": "A"})
    assert empty.status_code == 422
    assert _json(api, "post", f"{API}/", {"lecture_id": 10**9, "question": "Q", "answer": "A"}).status_code == 404


def test_list_is_paginated_and_filtered(api, lecture, cards, card):
    page = api.get(f"{API}/", {"lecture_id": lecture.pk, "page_size": 2}).json()
    assert page["count"] == 4 and len(page["items"]) == 2
    found = api.get(f"{API}/", {"lecture_id": lecture.pk, "q": "floor"}).json()
    assert [c["id"] for c in found["items"]] == [card.pk]


def test_queue_and_grade_then_conflict(api, lecture, cards):
    queue = api.get(f"{API}/queue", {"limit": 5}).json()
    assert queue["new"] == 3 and [c["id"] for c in queue["cards"]] == [c.pk for c in cards]
    first = queue["cards"][0]
    graded = _json(api, "post", f"{API}/{first['id']}/grade", {"rating": 3, "seen_count": first["review_count"]})
    assert graded.status_code == 200, graded.content
    assert graded.json()["next"]["id"] == cards[1].pk
    assert ReviewLog.objects.filter(card_id=first["id"]).count() == 1
    again = _json(api, "post", f"{API}/{first['id']}/grade", {"rating": 3, "seen_count": first["review_count"]})
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    assert _json(api, "post", f"{API}/{cards[1].pk}/grade", {"rating": 7, "seen_count": 0}).status_code == 422


def test_another_users_token_sees_and_changes_nothing(api, other_api, lecture, card):
    assert other_api.get(f"{API}/{card.pk}").status_code == 404
    assert _json(other_api, "patch", f"{API}/{card.pk}", {"answer": "hacked"}).status_code == 404
    assert other_api.delete(f"{API}/{card.pk}").status_code == 404
    graded = _json(other_api, "post", f"{API}/{card.pk}/grade", {"rating": 4, "seen_count": 0})
    assert graded.status_code == 404
    assert other_api.get(f"{API}/").json()["count"] == 0
    assert other_api.get(f"{API}/queue").json()["cards"] == []
    assert _json(other_api, "post", f"{API}/bulk", {"card_ids": [card.pk], "action": "delete"}).json() == {"changed": 0}
    other_lecture = _json(other_api, "post", f"{API}/", {"lecture_id": lecture.pk, "question": "Q", "answer": "A"})
    assert other_lecture.status_code == 404
    assert other_api.get(f"{API}/export", {"subject_id": lecture.subject_id}).status_code == 404
    card.refresh_from_db()
    assert (card.answer, card.review_count) == ("Floor division.", 0)
    assert not ReviewLog.objects.exists()


def test_generation_is_a_job_and_rate_limited(api, user, lecture, settings):
    settings.GENERATION_RATE_PER_HOUR = 1
    started = _json(api, "post", f"{API}/generations", {"lecture_id": lecture.pk, "count": 10})
    assert started.status_code == 202, started.content
    generation = started.json()
    assert generation["status"] == "pending"
    assert api.get(f"{API}/generations/{generation['id']}").json()["requested"] == 10
    CardGeneration.objects.filter(pk=generation["id"]).update(status="completed")
    limited = _json(api, "post", f"{API}/generations", {"lecture_id": lecture.pk, "count": 10})
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited" and limited.json()["retry_after"] >= 60
    assert int(limited["Retry-After"]) == limited.json()["retry_after"]


def test_export_csv_and_import_it_back(api, user, lecture, card):
    exported = api.get(f"{API}/export", {"subject_id": lecture.subject_id, "format": "csv"})
    assert exported.status_code == 200
    assert "attachment" in exported["Content-Disposition"]
    target = LectureFactory(owner=user, subject=lecture.subject, status="completed", page_count=10)
    upload = io.BytesIO(exported.content)
    upload.name = "cards.csv"
    imported = api.post(f"{API}/import", {"lecture_id": target.pk, "file": upload})
    assert imported.status_code == 201, imported.content
    assert imported.json()["created"] == 1
    assert Flashcard.objects.get(lecture=target).answer == "Floor division."
    apkg = api.get(f"{API}/export", {"subject_id": lecture.subject_id})
    assert zipfile.ZipFile(io.BytesIO(apkg.content)).namelist()
    bad = io.BytesIO(b"\x00\x01 not a deck")
    bad.name = "deck.apkg"
    refused = api.post(f"{API}/import", {"lecture_id": target.pk, "file": bad})
    assert refused.status_code == 422 and refused.json()["code"] == "invalid"


def test_anonymous_is_401(anon_client, card):
    response = anon_client.get(f"{API}/{card.pk}")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_factory_card_for_other_lecture_unchanged(api):
    other = FlashcardFactory()
    assert api.get(f"{API}/{other.pk}").status_code == 404
