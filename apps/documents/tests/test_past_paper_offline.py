"""Past-paper answers made offline (no AI model) for a real exam from the lectures it covers, end to end: the
CS 2150 exam (fall 2021, 13 questions) against the four reveal.js decks of the same course, all ingested for
real into one subject, plus a question added by hand that the decks do not cover at all.

What the decks say was checked by reading their pages (the page numbers below are slide numbers): some exam
questions they answer outright, some only with the method (a conversion to work out), some not at all
(the UNIX honor pledge; the -Wall and -g compiler flags, which no slide mentions; what a given piece of code
prints). Measured with this pipeline: 8 of the 13 questions answered, each citing a page that says it.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.documents import services as documents
from apps.documents.models import DocType
from apps.documents.tests.helpers import generate_now
from apps.lectures import services as lectures
from apps.lectures.models import LecturePage
from apps.lectures.tests.helpers import ingest_now, upload_file

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

DECKS = ["pdr_01-cpp.html", "pdr_02-lists.html", "pdr_03-numbers.html", "pdr_04-arrays-bigoh.html"]
EXAM = "exams/pdr_exam1-f21.pdf"
COVERED_AT_LEAST = 7  # 8 reached; one of margin

# (words that find the question in the exam, the deck and slide that answer it, words of the answer on it)
ANSWERED = [
    ("segfault with references", "pdr 01-cpp", 88, ["reference", "initialized", "null"]),
    ("pointer and a (statically-allocated)", "pdr 04-arrays-bigoh", 10, ["base address", "constant"]),
    ("array based (not vector based!) list instead", "pdr 02-lists", 49, ["findkth", "constant time"]),
    ("linked-list based list instead", "pdr 02-lists", 50, ["insert", "constant time"]),
    ("push back()", "pdr 04-arrays-bigoh", 55, ["linear", "doubling the size of a vector"]),
    ("two’s complement integer", "pdr 03-numbers", 32, ["two's complement", "flip the bits"]),
]
NOT_COVERED = ["UNIX honor pledge", "-Wall and -g"]
OFF_TOPIC = "Describe the causes of the French Revolution and the role of the Estates-General. [4 points]"


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z'-]{3,}", text.lower())}


def test_an_exam_is_answered_offline_from_the_pages_that_say_it(fixtures_dir, user, subject):
    for deck in DECKS:
        lecture = ingest_now(upload_file(user, subject, fixtures_dir / "lectures" / deck))
        assert lecture.status == "completed", (deck, lecture.error_message)
    path = fixtures_dir / EXAM
    exam = lectures.upload_lecture(
        actor=user, subject=subject, uploaded_file=SimpleUploadedFile(path.name, path.read_bytes()), role="exam"
    )
    exam = ingest_now(exam)
    assert exam.status == "completed", exam.error_message
    questions = exam.metadata["exam_questions"]
    assert len(questions) == 13
    extra = {"label": str(len(questions) + 1), "text": OFF_TOPIC, "points": 4}
    exam = documents.save_exam_questions(actor=user, exam=exam, questions=[*questions, extra])
    document = generate_now(actor=user, lecture=exam, doc_type=DocType.PAST_PAPER)
    assert document.status == "completed", document.error_message
    assert document.made_offline
    answers = document.content["answers"]
    assert len(answers) == 14

    _most_questions_are_answered_from_pages_that_say_it(answers[:13], user)
    _questions_the_decks_answer_cite_the_slide_that_answers_them(answers)
    _questions_the_decks_do_not_cover_stay_not_covered(answers)


def _answer(answers, words: str) -> dict:
    found = [a for a in answers if words in " ".join(a["question"]["text"].split())]
    assert len(found) == 1, words
    return found[0]


def _most_questions_are_answered_from_pages_that_say_it(exam_answers, user):
    covered = [a for a in exam_answers if a["covered"]]
    assert len(covered) >= COVERED_AT_LEAST, [a["question"]["label"] for a in covered]
    decks = LecturePage.objects.filter(lecture__owner=user, lecture__role="lecture")
    pages = {(p.lecture_id, p.number): p.text.lower() for p in decks}
    for answer in covered:
        assert answer["answer"] and answer["citations"], answer
        for citation in answer["citations"]:
            page = pages.get((citation["lecture_id"], citation["page"]))
            assert page is not None, citation  # a real page of one of the decks, never of the exam itself
            # the answer quotes the page: several of its words are on it
            assert len(_words(answer["answer"]) & _words(page)) >= 5, (answer["question"]["label"], citation)


def _questions_the_decks_answer_cite_the_slide_that_answers_them(answers):
    for words, deck, slide, key_words in ANSWERED:
        answer = _answer(answers, words)
        assert answer["covered"], words
        cited = [(c["lecture_name"], c["page"]) for c in answer["citations"]]
        assert (deck, slide) in cited, (words, cited)
        text = answer["answer"].lower().replace("’", "'")
        assert all(k in text for k in key_words), (words, answer["answer"])


def _questions_the_decks_do_not_cover_stay_not_covered(answers):
    for words in NOT_COVERED:
        answer = _answer(answers, words)
        assert not answer["covered"] and not answer["answer"] and not answer["citations"], answer
    added = answers[13]
    assert added["question"]["text"] == OFF_TOPIC
    assert not added["covered"] and not added["citations"], added
