"""In-text citations of a transcript or recording read as times ("[Lecture, 12:34]") and become pills."""

import pytest

from apps.chat.rendering import citation_label, cited_in, link_citations

DOC = {"lecture_id": 1, "lecture_name": "Lists deck", "page": 25, "snippet": "Postfix"}
TALK = {"lecture_id": 2, "lecture_name": "Week 2 lecture", "page": 3, "time": "02:18", "snippet": "Variables"}
LONG = {"lecture_id": 3, "lecture_name": "Seminar", "page": 60, "time": "1:02:03", "snippet": "Hashing"}
CITATIONS = [DOC, TALK, LONG]


def test_labels():
    assert citation_label(DOC) == "Lists deck, p. 25"
    assert citation_label(TALK) == "Week 2 lecture, 02:18"
    assert citation_label(LONG, "Sem") == "Sem, 1:02:03"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Stacks [Lists deck, p. 25].", [DOC]),
        ("Variables [Week 2 lecture, 02:18].", [TALK]),
        ("Variables [Week 2 lecture, 2:18] and [Week 2, at 02:18].", [TALK]),  # shortened name, unpadded time
        ("Hashing [Seminar, 1:02:03].", [LONG]),
        ("By page number [Week 2 lecture, p. 3].", [TALK]),
        ("Unknown time [Week 2 lecture, 05:00], unknown page [Lists deck, p. 9].", []),
    ],
)
def test_cited_in_reads_pages_and_times(text, expected):
    assert cited_in(text, CITATIONS) == expected


def test_pills_read_the_time_even_when_the_model_cites_the_page_number():
    html = link_citations(
        "<p>A [Week 2 lecture, p. 3] and B [Seminar, 1:02:03] and C [Lists deck, p. 25]</p>", CITATIONS
    )
    assert '/lectures/2/pages/3/"' in html and ">Week 2 lecture, 02:18</a>" in html
    assert '/lectures/3/pages/60/"' in html and ">Seminar, 1:02:03</a>" in html
    assert ">Lists deck, p. 25</a>" in html
