"""Full-text retrieval takes any question text, however odd its tokens."""

import pytest

from apps.lectures import retrieval
from apps.lectures.models import Chunk
from tests.factories import LectureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture():
    lecture = LectureFactory(status="completed")
    Chunk.objects.create(
        owner=lecture.owner,
        subject=lecture.subject,
        lecture=lecture,
        page=3,
        chunk_index=0,
        text="exam1_error.cpp:8:11: error: use of undeclared identifier 'b' in int main()",
    )
    return lecture


@pytest.mark.parametrize(
    "query",
    [
        "exam1 error . cpp : 8 : 1 1 : e r r o r : use o f undeclared",
        "ˆ ˜ ˜ ˜ caret lines under the error",
        "what's O'Brien's rule?",
        r"back\slash and 'quotes' & | ! ( ) :* <-> operators",
        "error.cpp:11 error.cpp:16",
    ],
)
def test_odd_question_text_never_breaks_the_text_query(lecture, query):
    rows = retrieval.text_ids(lecture.owner_id, query, lecture_id=lecture.pk)
    assert isinstance(rows, list)


def test_a_question_with_colon_tokens_still_finds_its_passage(lecture):
    rows = retrieval.text_ids(lecture.owner_id, "undeclared identifier error.cpp:8", lecture_id=lecture.pk)
    assert [row[0] for row in rows] == list(Chunk.objects.filter(lecture=lecture).values_list("pk", flat=True))
