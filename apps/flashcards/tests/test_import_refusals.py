"""POST /flashcards/lecture/<pk>/import/ with bad files: a clear message and not one card added."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.flashcards import anki_io
from apps.flashcards.models import Flashcard
from apps.lectures.models import Figure

pytestmark = pytest.mark.django_db


def _import(client, lecture, data: bytes, name: str):
    url = reverse("flashcards:import", args=[lecture.pk])
    response = client.post(url, {"file": SimpleUploadedFile(name, data)}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith("#import")
    return response.content.decode()


def _assert_nothing_added(lecture):
    assert not Flashcard.objects.filter(lecture=lecture).exists()
    assert not Figure.objects.filter(lecture=lecture).exists()


def test_a_junk_file_is_refused(owner_client, lecture):
    html = _import(owner_client, lecture, bytes(range(256)) * 40, "deck.csv")
    assert "This looks like a binary file, not a CSV text file." in html
    _assert_nothing_added(lecture)


def test_a_file_that_is_not_a_zip_but_says_apkg_is_refused(owner_client, lecture):
    html = _import(owner_client, lecture, b"this is not an anki package" * 10, "deck.apkg")
    assert "This file is not an Anki package (.apkg)." in html
    _assert_nothing_added(lecture)


def test_a_zip_bomb_is_refused(owner_client, lecture):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("collection.anki2", "w") as fh:
        zero = b"\x00" * (1 << 20)
        for _ in range(300):
            fh.write(zero)
    assert len(buffer.getvalue()) < 1_000_000
    html = _import(owner_client, lecture, buffer.getvalue(), "bomb.apkg")
    assert "zip bomb" in html
    _assert_nothing_added(lecture)


def test_a_6_mb_csv_is_refused(owner_client, lecture):
    row = b"What is a long question about operators?,A long answer about operators.\n"
    data = row * (6_000_000 // len(row) + 1)
    html = _import(owner_client, lecture, data, "big.csv")
    assert "That CSV file is larger than 5 MB, the most we import." in html
    _assert_nothing_added(lecture)


def test_a_csv_with_one_column_is_refused(owner_client, lecture):
    html = _import(owner_client, lecture, b"just one column\nand another line\n", "deck.csv")
    assert "This file has only one column." in html
    _assert_nothing_added(lecture)


def test_no_file_at_all_asks_for_one(owner_client, lecture):
    response = owner_client.post(reverse("flashcards:import", args=[lecture.pk]), follow=True)
    assert "Choose a .csv or .apkg file to import." in response.content.decode()


def test_a_failure_while_storing_adds_nothing(owner_client, lecture, monkeypatch):
    """One transaction: when the images of an import cannot be stored, the cards are not kept either."""

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(anki_io, "_attach_images", broken)
    from apps.flashcards.anki.types import ImportedCard

    cards = [
        ImportedCard("basic", "Q1?", "A1", image_name="x.png", image=b"\x89PNG"),
        ImportedCard("basic", "Q2?", "A2"),
    ]
    monkeypatch.setattr(anki_io, "_read", lambda uploaded: (cards, {}, []))
    with pytest.raises(RuntimeError):
        anki_io.import_deck(actor=lecture.owner, lecture=lecture, uploaded_file=SimpleUploadedFile("d.apkg", b"PK"))
    _assert_nothing_added(lecture)
