"""How search scores its candidates: rare words weigh more in the full-text rank, and vector and full-text
evidence are combined as scores (ranking.combined_scores), not as ranks."""

import numpy as np
import pytest

from apps.lectures import ranking, retrieval
from apps.lectures.models import Chunk
from apps.lectures.tests.helpers import make_chunk
from tests.factories import LectureFactory


def text_chunk(lecture, index: int, text: str) -> Chunk:
    return make_chunk(lecture, index, np.eye(384, dtype=np.float32)[index], text=text)


@pytest.mark.django_db
def test_a_rare_word_outranks_a_common_word_said_many_times():
    lecture = LectureFactory(status="completed")
    common = text_chunk(lecture, 0, "A number, a number and another number: numbers everywhere.")
    for n in range(1, 5):
        text_chunk(lecture, n, f"Slide {n} prints a number.")
    rare = text_chunk(lecture, 5, "The leftover of a division is what the modulo operator gives.")

    rows = retrieval.text_ids(lecture.owner_id, "leftover number", lecture_id=lecture.pk)

    order = [row[0] for row in rows]
    assert order.index(rare.pk) < order.index(common.pk)
    coverage = {row[0]: row[3] for row in rows}
    assert coverage[rare.pk] > 0.8 > 0.2 > coverage[common.pk] > 0  # "leftover" carries most of the question
    equal = [
        row[0] for row in retrieval.text_ids(lecture.owner_id, "leftover number", lecture_id=lecture.pk, idf=False)
    ]
    assert equal.index(common.pk) < equal.index(rare.pk)  # with equal word weights, repetition wins


@pytest.mark.django_db
def test_text_rows_are_scoped_to_the_owner_and_the_lecture():
    mine, theirs = LectureFactory(status="completed"), LectureFactory(status="completed")
    kept = text_chunk(mine, 0, "recursion needs a base case")
    text_chunk(theirs, 0, "recursion needs a base case")

    assert [row[0] for row in retrieval.text_ids(mine.owner_id, "recursion", lecture_id=mine.pk)] == [kept.pk]
    assert retrieval.text_ids(mine.owner_id, "recursion", lecture_id=theirs.pk) == []


def test_a_paraphrase_only_the_vectors_find_beats_a_loose_word_match():
    """Reciprocal rank fusion scored the loose match, fifth in both lists, 2/65 against 1/61 for the passage
    the vectors placed first; combined scores keep the close passage first."""
    distances = {1: (0.35, 0.30), 2: (0.62, 0.60)}  # 1: the answer in other words; 2: shares a common word
    texts = [ranking.TextMatch(2, rank=0.02, coverage=0.15)]

    assert [cid for cid, _ in ranking.combined_scores(distances, texts)] == [1, 2]


def test_matching_the_question_words_decides_between_equally_close_passages():
    distances = {1: (0.40, 0.40), 2: (0.40, 0.40)}
    texts = [ranking.TextMatch(2, rank=0.3, coverage=1.0), ranking.TextMatch(1, rank=0.1, coverage=0.2)]

    scored = ranking.combined_scores(distances, texts)

    assert [cid for cid, _ in scored] == [2, 1]
    assert scored[0][1] == pytest.approx(0.6 + 0.6 + ranking.TEXT_WEIGHT * 1.0)


def test_without_a_query_vector_the_full_text_order_stands():
    texts = [ranking.TextMatch(5, rank=0.1, coverage=0.5), ranking.TextMatch(7, rank=0.4, coverage=0.9)]

    assert [cid for cid, _ in ranking.combined_scores({}, texts)] == [7, 5]
