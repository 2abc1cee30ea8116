"""GET /flashcards/export/<lecture|subject>/<pk>/apkg/: an Anki package that opens as a collection (read here with
sqlite3, read-only): our notes, fields, GUIDs, deck name and media; a re-export keeps GUIDs and the deck id."""

import io
import json
import sqlite3
import struct
import zipfile
import zlib

import genanki
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from apps.flashcards.models import AnkiDeck
from apps.lectures.models import Figure
from tests.factories import FlashcardFactory, LectureFactory

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"\x00\x80\x80"
    ihdr = struct.pack(">IIBBBBB", 2, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@pytest.fixture
def deck(lecture):
    figure = Figure(lecture=lecture, page=3, index=1, width=2, height=1)
    figure.image.save("slide_03_fig_01.png", ContentFile(_png()), save=False)
    figure.save()
    return [
        FlashcardFactory(
            lecture=lecture, question='What does <b> & "x" mean?', answer="Tags & entities", tags=["html"]
        ),
        FlashcardFactory(
            lecture=lecture, card_type="cloze", question="The {{c1::modulo}} operator is %.", answer="modulo"
        ),
        FlashcardFactory(
            lecture=lecture, question="What does this diagram show?", answer="A loop", figure=figure, source_page=3
        ),  # fmt: skip
    ]


def _export(client, scope, pk):
    response = client.get(reverse("flashcards:export", args=[scope, pk, "apkg"]))
    assert response.status_code == 200
    return response


def _collection(data: bytes, tmp_path, name="c"):
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = set(zf.namelist())
        path = tmp_path / f"{name}.anki2"
        path.write_bytes(zf.read("collection.anki2"))
        media = json.loads(zf.read("media"))
        files = {media[k]: zf.read(k) for k in media}
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    return conn, members, files


def _notes(conn):
    return [
        (g, f.split("\x1f"), t.split()) for g, f, t in conn.execute("SELECT guid, flds, tags FROM notes ORDER BY id")
    ]


def test_the_lecture_deck_opens_as_an_anki_collection(owner_client, lecture, subject, deck, tmp_path):
    response = _export(owner_client, "lecture", lecture.pk)
    assert response["Content-Disposition"] == 'attachment; filename="Week 1.apkg"'
    assert response["Cache-Control"] == "private, no-store"

    conn, members, files = _collection(response.content, tmp_path)
    assert "collection.anki2" in members
    notes = _notes(conn)
    assert len(notes) == 3
    by_guid = {guid: (fields, tags) for guid, fields, tags in notes}
    basic, cloze, diagram = deck
    fields, tags = by_guid[genanki.guid_for("mysmartnotes", basic.pk)]
    assert fields[0] == 'What does &lt;b&gt; &amp; "x" mean?'
    assert fields[1] == "Tags &amp; entities"
    assert fields[2] == "Week 1 p. 1"
    assert tags == ["html"]
    assert by_guid[genanki.guid_for("mysmartnotes", cloze.pk)][0][0] == "The {{c1::modulo}} operator is %."
    diagram_front = by_guid[genanki.guid_for("mysmartnotes", diagram.pk)][0][0]
    assert diagram_front.startswith("What does this diagram show?<br><img src=")
    assert list(files.values()) == [_png()]

    decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
    stored = AnkiDeck.objects.get(subject=subject, lecture=lecture)
    assert decks[str(stored.deck_id)]["name"] == "Algorithms::Week 1"
    assert {did for (did,) in conn.execute("SELECT did FROM cards")} == {stored.deck_id}
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("DELETE FROM notes")  # opened read-only
    conn.close()


def test_a_re_export_keeps_guids_and_the_deck_id(owner_client, lecture, deck, tmp_path):
    first, _, _ = _collection(_export(owner_client, "lecture", lecture.pk).content, tmp_path, "first")
    FlashcardFactory(lecture=lecture, question="Added later?", answer="Yes")
    deck[0].question = "What does <i> mean?"
    deck[0].save()
    second, _, _ = _collection(_export(owner_client, "lecture", lecture.pk).content, tmp_path, "second")

    guids_1 = {g for g, _, _ in _notes(first)}
    guids_2 = {g for g, _, _ in _notes(second)}
    assert guids_1 < guids_2 and len(guids_2) == 4
    decks_1 = json.loads(first.execute("SELECT decks FROM col").fetchone()[0])
    decks_2 = json.loads(second.execute("SELECT decks FROM col").fetchone()[0])
    ours = {k for k, v in decks_1.items() if v["name"] == "Algorithms::Week 1"}
    assert ours and ours == {k for k, v in decks_2.items() if v["name"] == "Algorithms::Week 1"}
    models_1 = set(json.loads(first.execute("SELECT models FROM col").fetchone()[0]))
    assert models_1 == set(json.loads(second.execute("SELECT models FROM col").fetchone()[0]))
    assert AnkiDeck.objects.count() == 1


def test_an_imported_cards_guid_is_kept_on_export(owner_client, lecture, tmp_path):
    FlashcardFactory(lecture=lecture, guid="Ab#CdEf12", origin="imported")
    conn, _, _ = _collection(_export(owner_client, "lecture", lecture.pk).content, tmp_path)
    assert [g for g, _, _ in _notes(conn)] == ["Ab#CdEf12"]


def test_the_subject_deck_holds_every_lecture(owner_client, user, subject, lecture, deck, tmp_path):
    other = LectureFactory(owner=user, subject=subject, name="Week 2", status="completed")
    FlashcardFactory(lecture=other, question="Week 2 question?", answer="Yes")
    FlashcardFactory(lecture__owner=user, question="Another subject?", answer="Never exported here")
    response = _export(owner_client, "subject", subject.pk)
    assert response["Content-Disposition"] == 'attachment; filename="Algorithms.apkg"'
    conn, _, _ = _collection(response.content, tmp_path)
    fronts = [fields[0] for _, fields, _ in _notes(conn)]
    assert len(fronts) == 4 and "Week 2 question?" in fronts and "Another subject?" not in fronts
    decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
    assert "Algorithms" in {d["name"] for d in decks.values()}
    assert AnkiDeck.objects.filter(subject=subject, lecture__isnull=True).count() == 1


def test_an_empty_deck_still_exports(owner_client, lecture, tmp_path):
    conn, _, _ = _collection(_export(owner_client, "lecture", lecture.pk).content, tmp_path)
    assert _notes(conn) == []


@pytest.mark.parametrize(("scope", "fmt"), [("lecture", "pdf"), ("course", "csv")])
def test_an_unknown_format_or_scope_is_404_not_500(owner_client, lecture, scope, fmt):
    assert owner_client.get(reverse("flashcards:export", args=[scope, lecture.pk, fmt])).status_code == 404
