"""Each piece of text once in an answer's passages."""

from dataclasses import dataclass

from apps.chat.passages import distinct_passages, merge_overlapping

HEAD = (
    "String conversions. You can also use int() and float() to convert between strings and integers. "
    "You will get an error if the string does not contain numeric characters."
)
OVERLAP = "sval = '123' then ival = int(sval) gives 123 and ival + 1 gives 124 as expected"
TAIL = "nsv = 'hello bob' and niv = int(nsv) raises ValueError: invalid literal for int() with base 10"


@dataclass(frozen=True)
class FakeHit:
    chunk_id: int
    lecture_id: int
    page: int
    text: str
    lecture_name: str = "Expressions"


def test_two_overlapping_chunks_of_a_page_become_one_passage_with_the_overlap_once():
    first = FakeHit(1, 7, 28, f"{HEAD}\n{OVERLAP}")
    second = FakeHit(2, 7, 28, f"{OVERLAP}\n{TAIL}")
    for hits in ([first, second], [second, first]):
        (passage,) = distinct_passages(hits, limit=6, max_chars=2400)
        assert passage.text.count("sval = '123'") == 1
        assert HEAD in passage.text and TAIL in passage.text
        # In page order whichever chunk ranked first.
        assert passage.text.index(HEAD) < passage.text.index(OVERLAP) < passage.text.index(TAIL)
        assert passage.hit is hits[0] and sorted(passage.chunk_ids) == [1, 2]


def test_the_better_chunk_stays_whole_when_the_merge_would_be_too_long():
    kept = f"{OVERLAP}\n{TAIL}"
    merged = merge_overlapping(kept, f"{HEAD}\n{OVERLAP}", max_chars=len(kept) + 60)
    assert kept in merged and len(merged) <= len(kept) + 60
    assert merged.startswith("… ") and merged.count("sval = '123'") == 1


def test_the_same_chunk_twice_is_one_passage():
    hit = FakeHit(1, 7, 28, HEAD)
    assert [p.hit for p in distinct_passages([hit, hit, FakeHit(3, 7, 29, TAIL)], limit=6, max_chars=2400)] == [
        hit,
        FakeHit(3, 7, 29, TAIL),
    ]


def test_a_chunk_inside_another_of_the_same_page_adds_nothing():
    (passage,) = distinct_passages(
        [FakeHit(1, 7, 28, f"{HEAD}\n{OVERLAP}"), FakeHit(2, 7, 28, OVERLAP)], limit=6, max_chars=2400
    )
    assert passage.text == f"{HEAD}\n{OVERLAP}"


def test_the_same_text_on_another_page_or_in_another_upload_is_shown_once():
    hits = [FakeHit(1, 7, 28, HEAD), FakeHit(2, 7, 30, HEAD.upper()), FakeHit(3, 8, 28, f"  {HEAD}  ", "Copy")]
    assert [p.hit.chunk_id for p in distinct_passages(hits, limit=6, max_chars=2400)] == [1]


def test_different_chunks_of_one_page_stay_apart():
    hits = [FakeHit(1, 7, 28, HEAD), FakeHit(2, 7, 28, TAIL)]
    assert [p.text for p in distinct_passages(hits, limit=6, max_chars=2400)] == [HEAD, TAIL]


def test_at_most_limit_passages():
    hits = [FakeHit(i, 7, i, f"page {i} says something different about topic {i}") for i in range(1, 10)]
    assert [p.hit.chunk_id for p in distinct_passages(hits, limit=3, max_chars=2400)] == [1, 2, 3]
