"""Each lecture's full text is indexed in its own language: detected from its text, used for its chunks'
tsvectors and for reading the question against them."""

import pytest

from apps.lectures import retrieval, text_language
from apps.lectures.models import Chunk
from tests.factories import LectureFactory

pytestmark = pytest.mark.django_db

FRENCH = (
    "Un document XML est bien formé lorsque chaque balise ouvrante a une balise fermante. Les éléments "
    "peuvent contenir des attributs, et le nom d'un élément ne doit pas commencer par un chiffre. On utilise "
    "une DTD pour décrire la structure que le document doit respecter."
)
ENGLISH = (
    "A list is a sequence of values. The values in a list are called elements, and we can change them "
    "because lists are mutable. Use the append method to add an element at the end of the list."
)
GERMAN = (
    "Eine Liste ist eine Folge von Werten. Die Werte in einer Liste nennt man Elemente, und man kann sie "
    "ändern, weil Listen veränderbar sind. Mit der Methode append wird ein Element am Ende angehängt."
)
SPANISH = (
    "Una lista es una secuencia de valores. Los valores de una lista se llaman elementos, y se pueden "
    "cambiar porque las listas son mutables. Con el método append se añade un elemento al final de la lista."
)


@pytest.mark.parametrize(
    ("text", "language"),
    [(FRENCH, "french"), (ENGLISH, "english"), (GERMAN, "german"), (SPANISH, "spanish")],
    ids=["french", "english", "german", "spanish"],
)
def test_the_language_of_a_text_is_detected(text, language):
    assert text_language.detect(text) == language


@pytest.mark.parametrize(
    "text",
    ["", "   ", "x = [1, 2, 3]\nprint(len(x))\nfor i in range(10): total += i", "XML DTD XSD XSLT XPath"],
    ids=["empty", "blank", "code", "acronyms"],
)
def test_text_without_a_clear_language_is_indexed_as_english(text):
    assert text_language.detect(text) == "english"


def test_english_slides_with_a_few_french_words_stay_english():
    text = ENGLISH + " The French call it a liste, as in « la liste des courses »."
    assert text_language.detect(text) == "english"


def test_the_sample_takes_every_page():
    pages = ["Title slide"] + [FRENCH] * 30
    sample = text_language.sample(pages, limit=2000)
    assert len(sample) <= 2000 and "balise" in sample
    assert text_language.sample(["", "  "]) == ""


def _lecture_with(text: str, language: str, subject=None, owner=None):
    placed = {"subject": subject, "owner": owner} if subject else {}
    lecture = LectureFactory(status="completed", language=language, **placed)
    chunk = Chunk.objects.create(
        owner=lecture.owner, subject=lecture.subject, lecture=lecture, page=1, chunk_index=0, text=text,
        language=language,
    )  # fmt: skip
    return lecture, chunk


# French stop words ("avec", "sa") are not required, and "fermante" / "ouvrante" are stemmed as French.
FRENCH_QUESTION = "chaque balise ouvrante avec sa balise fermante"


def test_a_french_lecture_reads_a_french_question_as_french():
    lecture, chunk = _lecture_with(FRENCH, "french")
    rows = retrieval.text_ids(lecture.owner_id, FRENCH_QUESTION, lecture_id=lecture.pk)
    assert [(row[0], row[2]) for row in rows] == [(chunk.pk, True)]


def test_the_same_text_indexed_as_english_does_not_match_the_whole_question():
    lecture, chunk = _lecture_with(FRENCH, "english")
    rows = retrieval.text_ids(lecture.owner_id, FRENCH_QUESTION, lecture_id=lecture.pk)
    assert [(row[0], row[2]) for row in rows] == [(chunk.pk, False)]


def test_a_subject_of_french_and_english_lectures_reads_the_question_in_each_language():
    french, french_chunk = _lecture_with(FRENCH, "french")
    english, english_chunk = _lecture_with(ENGLISH, "english", subject=french.subject, owner=french.owner)
    assert retrieval.scope_facts(french.owner_id, subject_id=french.subject_id).languages == ["english", "french"]
    scope = {"subject_id": french.subject_id}
    assert retrieval.text_ids(french.owner_id, FRENCH_QUESTION, **scope)[0][:1] == (french_chunk.pk,)
    assert retrieval.text_ids(french.owner_id, "changing the elements of lists", **scope)[0][:1] == (english_chunk.pk,)
    # a word both languages share finds both lectures' chunks
    assert {row[0] for row in retrieval.text_ids(french.owner_id, "element", **scope)} >= {english_chunk.pk}


def test_another_users_lectures_do_not_add_their_languages():
    mine, _ = _lecture_with(ENGLISH, "english")
    _lecture_with(FRENCH, "french")
    assert retrieval.scope_facts(mine.owner_id, subject_id=mine.subject_id).languages == ["english"]
    assert retrieval.scope_facts(mine.owner_id, lecture_id=mine.pk).languages == ["english"]


def test_reindex_lectures_reindexes_a_french_lecture_indexed_as_english():
    from django.core.management import call_command

    from apps.lectures.models import LecturePage

    lecture, chunk = _lecture_with(FRENCH, "english")
    Chunk.objects.filter(pk=chunk.pk).update(title="XML bien formé")  # titled: not queued for a reprocess
    LecturePage.objects.create(lecture=lecture, number=1, text=FRENCH)
    english, _ = _lecture_with(ENGLISH, "english")
    LecturePage.objects.create(lecture=english, number=1, text=ENGLISH)

    call_command("reindex_lectures", "--dry-run")
    lecture.refresh_from_db()
    assert lecture.language == "english"

    call_command("reindex_lectures")
    lecture.refresh_from_db()
    english.refresh_from_db()
    assert (lecture.language, english.language) == ("french", "english")
    assert Chunk.objects.get(pk=chunk.pk).language == "french"
    rows = retrieval.text_ids(lecture.owner_id, FRENCH_QUESTION, lecture_id=lecture.pk)
    assert [(row[0], row[2]) for row in rows] == [(chunk.pk, True)]
