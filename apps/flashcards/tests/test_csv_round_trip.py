"""GET /flashcards/export/…/csv/ then POST /flashcards/lecture/<pk>/import/: a lecture's cards exported as Anki
CSV and imported into another lecture come back the same (front, back, tags, type); importing the same file twice
adds nothing the second time."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.flashcards.models import Flashcard
from tests.factories import FlashcardFactory, LectureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(lecture):
    return [
        FlashcardFactory(
            lecture=lecture, question='Quote "this", please', answer="Line one\nLine two", tags=["a", "b"]
        ),
        FlashcardFactory(lecture=lecture, question="=1+2 is a formula?", answer="-no, text", tags=["csv"]),
        FlashcardFactory(lecture=lecture, question="Ünïcödé & <tags>?", answer="Ja, schön; mit Semikolon", tags=[]),
        FlashcardFactory(
            lecture=lecture,
            card_type="cloze",
            question="{{c1::Python}} was made by {{c2::Guido}}.",
            answer="Python; Guido",
            tags=["history"],
        ),  # fmt: skip
        FlashcardFactory(
            lecture=lecture,
            card_type="multiple_choice",
            question="Which operator gives a remainder?",
            answer="%",
            options=["//", "%", "**", "/"],
            tags=["ops"],
        ),  # fmt: skip
    ]


@pytest.fixture
def target(user, subject):
    return LectureFactory(owner=user, subject=subject, name="Week 2", status="completed", page_count=5)


def _export_csv(client, lecture) -> bytes:
    response = client.get(reverse("flashcards:export", args=["lecture", lecture.pk, "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{lecture.name}.csv"'
    return response.content


def _import(client, lecture, data: bytes, name="deck.csv"):
    url = reverse("flashcards:import", args=[lecture.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type="text/csv")}, follow=True)


def _cards(lecture):
    return sorted(
        (c.card_type, c.question, c.answer, tuple(c.tags), tuple(c.options))
        for c in Flashcard.objects.filter(lecture=lecture)
    )


def test_the_export_has_ankis_header_lines(owner_client, lecture, source):
    text = _export_csv(owner_client, lecture).decode()
    assert text.startswith("#separator:Comma\n#html:true\n#notetype column:2\n#deck column:3\n#tags column:6\n")
    assert "#guid column:1" in text
    assert '"Algorithms::Week 1"' in text
    assert '"\'=1+2 is a formula?"' in text  # formula cells are neutralised


def test_export_then_import_into_another_lecture_is_lossless(owner_client, lecture, source, target):
    data = _export_csv(owner_client, lecture)
    html = _import(owner_client, target, data).content.decode()
    assert "Imported 5 cards." in html
    assert _cards(target) == _cards(lecture)
    imported = Flashcard.objects.filter(lecture=target)
    assert {c.origin for c in imported} == {"imported"}
    assert {c.subject_id for c in imported} == {target.subject_id}
    assert all(c.guid for c in imported)
    # and the imported deck exports to the same rows (GUIDs kept)
    again = _export_csv(owner_client, target).decode().replace("Week 2", "Week 1")
    assert again == data.decode()


def test_importing_the_same_file_twice_adds_nothing_the_second_time(owner_client, lecture, source, target):
    data = _export_csv(owner_client, lecture)
    _import(owner_client, target, data)
    html = _import(owner_client, target, data).content.decode()
    assert "Imported 0 cards (5 you already had were skipped)." in html
    assert Flashcard.objects.filter(lecture=target).count() == 5


def test_a_plain_front_back_file_imports(owner_client, target):
    html = _import(owner_client, target, b"front,back,tags\nWhat is 2**3?,8,maths power\nWhat is 7%3?,1,\n").content
    assert "Imported 2 cards." in html.decode()
    assert _cards(target) == [
        ("basic", "What is 2**3?", "8", ("maths", "power"), ()),
        ("basic", "What is 7%3?", "1", (), ()),
    ]


def test_an_apkg_export_imports_into_another_lecture(owner_client, lecture, source, target):
    data = owner_client.get(reverse("flashcards:export", args=["lecture", lecture.pk, "apkg"])).content
    html = _import(owner_client, target, data, name="Week 1.apkg").content.decode()
    assert "Imported 5 cards." in html
    assert [(t, q, a) for t, q, a, _, _ in _cards(target)] == [(t, q, a) for t, q, a, _, _ in _cards(lecture)]
    assert "Imported 0 cards" in _import(owner_client, target, data, name="Week 1.apkg").content.decode()
