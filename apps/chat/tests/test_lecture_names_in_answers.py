"""Lecture names inside answers we compose are text, never Markdown; pills match whole lecture names only."""

import re

import pytest

from apps.chat import services
from apps.chat.rendering import cited_in, link_citations
from apps.chat.tests.helpers import make_lecture
from smartnotes import ai

EVIL = "Enzymes](https://evil.example/) [Enzymes"
QUESTION = "Where does photosynthesis take place?"


def _hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


def _rendered(content: str, citations: list[dict]) -> str:
    return link_citations(ai.render_markdown(content), citations)


def test_escape_markdown_keeps_every_character_literal():
    for name in (EVIL, "Week_1 *intro* `code`", "<https://evil.example/>", "![x](https://evil.example/a.png)", "A & B"):
        html = ai.render_markdown("Notes: " + ai.escape_markdown(name))
        assert "<a" not in html and "<em>" not in html and "<code>" not in html
        assert html == "<p>Notes: " + name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</p>"


def test_a_name_is_kept_on_one_line():
    assert ai.escape_markdown("Week 1\n# Heading\n> quote") == "Week 1 # Heading > quote"


def test_an_extractive_answer_does_not_turn_a_lecture_name_into_a_link():
    citation = {"lecture_id": 7, "lecture_name": EVIL, "page": 3, "chunk_id": 1, "snippet": "Enzymes speed up"}
    passage = {"lecture_name": EVIL, "page": 3, "text": "Enzymes speed up reactions.", "citation": citation}
    html = _rendered(services.extractive_answer([passage]), [citation])
    assert not any("evil.example" in href for href in _hrefs(html))
    # Shown as the text it is; the "[Enzymes, p. 3]" at its end still opens the right page.
    assert "— [Enzymes](https://evil.example/) <a" in html
    assert "/lectures/7/pages/3/" in _hrefs(html)


def test_a_not_covered_answer_does_not_turn_the_scope_name_into_a_link():
    for empty in (True, False):
        html = ai.render_markdown(services.not_covered_answer(EVIL, empty=empty))
        assert "<a" not in html and "https://evil.example/" in html


def test_emphasis_characters_in_a_name_no_longer_break_its_pill():
    name = "Week_1 *intro*"
    citation = {"lecture_id": 7, "lecture_name": name, "page": 2, "chunk_id": 1, "snippet": "s"}
    passage = {"lecture_name": name, "page": 2, "text": "Cells divide.", "citation": citation}
    html = _rendered(services.extractive_answer([passage]), [citation])
    assert "/lectures/7/pages/2/" in _hrefs(html)
    assert "<em>" not in html and ">Week_1 *intro*, p. 2</a>" in html


@pytest.mark.django_db(transaction=True)
def test_offline_answer_for_a_lecture_with_a_link_shaped_name(offline_env, user, subject):
    lecture = make_lecture(user, subject, name=EVIL)
    conversation = services.start_conversation(actor=user, lecture=lecture)
    message = services.ask(user, conversation, QUESTION)
    assert message.offline and "chloroplasts" in message.content
    assert not any("evil.example" in href for href in _hrefs(message.html))
    assert any(f"/lectures/{lecture.pk}/pages/" in href for href in _hrefs(message.html))


INTRO = {"lecture_id": 1, "lecture_name": "Introduction to X", "page": 3, "chunk_id": 1, "snippet": "s"}
WEEK = {"lecture_id": 2, "lecture_name": "Week 2 lecture", "page": 5, "chunk_id": 2, "snippet": "s"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("See [Intro, p. 3].", []),  # "Intro" is not a word of "Introduction to X"
        ("See [to, p. 3].", [INTRO]),  # a whole word, and the only lecture cited at p. 3
        ("See [Introduction, p. 3].", [INTRO]),
        ("See [introduction  TO x, p. 3].", [INTRO]),  # the whole name, any case and spacing
        ("See [Week, p. 5].", [WEEK]),
        ("See [2 lecture, p. 5].", [WEEK]),
        ("See [Wee, p. 5].", []),
        ("See [Week 2 lect, p. 5].", []),
        ("See [Introduction to X and more, p. 3].", []),
    ],
)
def test_pills_match_whole_words_of_lecture_names(text, expected):
    assert cited_in(text, [INTRO, WEEK]) == expected
    pills = _hrefs(link_citations(f"<p>{text}</p>", [INTRO, WEEK]))
    assert len(pills) == len(expected)


def test_a_short_lecture_name_is_not_found_inside_a_longer_one():
    intro = {"lecture_id": 9, "lecture_name": "Intro", "page": 1, "chunk_id": 3, "snippet": "s"}
    longer = {**INTRO, "page": 1}
    assert cited_in("[Intro, p. 1]", [longer, intro]) == [intro]
    assert cited_in("[Intro, p. 1]", [longer]) == []
