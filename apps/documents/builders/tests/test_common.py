import pytest

from apps.documents.builders.common import (
    HELVETICA,
    clean_text,
    format_pages,
    format_sources,
    inline_spans,
    looks_like_code,
    parse_blocks,
    pdf_fonts,
    question_heading,
    question_text,
    wrap_code_line,
)
from smartnotes.generation.types import Citation, ExamQuestion


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        ([7], "p. 7"),
        ([3, 5], "pp. 3, 5"),
        ([3, 4, 5], "pp. 3–5"),
        ([5, 3, 4, 4], "pp. 3–5"),
        ([3, 4], "pp. 3, 4"),
        ([1, 3, 4, 5, 9], "pp. 1, 3–5, 9"),
        ([], ""),
        ([0, -1], ""),
    ],
)
def test_format_pages(pages, expected):
    assert format_pages(pages) == expected


def test_format_sources_groups_pages_by_lecture_in_cited_order():
    citations = [Citation("Lists", 7), Citation("Numbers", 2), Citation("Lists", 3), Citation("Lists", 7)]
    assert format_sources(citations) == "Sources: Lists p. 3, p. 7; Numbers p. 2"
    assert format_sources([]) == ""


def test_clean_text_drops_xml_invalid_characters_but_keeps_unicode():
    assert clean_text("a\x00b\x0bc\ud800d\r\ne 😀 é") == "abcd\ne 😀 é"


@pytest.mark.parametrize(
    "line",
    [
        "void mystery ( ListNode * l ) {",
        "}",
        "cout << l −>value << endl ;",
        "float c = a + b ;",
        "for(i=0;i<n;i++)",
        "    return x * 2",
        "\tx = 1",
        "def f(n):",
        "print(f(5))",
    ],
)
def test_code_lines(line):
    assert looks_like_code(line)


@pytest.mark.parametrize(
    "line",
    [
        "Briefly, why can't you make C++ segfault with references?",
        "It is fast; but it costs memory.",
        "Consider an array declared as int a[4][4]; with ints that are 4 bytes in size.",
        "Consider the statement int x = -66085;. Note that",
        "    - an indented list item",
        "",
    ],
)
def test_prose_lines(line):
    assert not looks_like_code(line)


def test_parse_blocks_reflows_prose_and_keeps_code_lines():
    text = (
        "Briefly, what does the following code do if given the pointer to the\n"
        "head node?\n"
        "void mystery ( ListNode * l ) {\n"
        "if ( l ) {\n"
        "cout << l −>value << endl ;\n"
        "}\n"
        "}\n"
        "\n"
        "- first **item**\n"
        "  continued\n"
        "2. second\n"
        "```\n"
        "x = 1\n"
        "\n"
        "y = 2\n"
        "```\n"
        "Done."
    )
    blocks = parse_blocks(text)
    assert [b.kind for b in blocks] == ["para", "code", "item", "item", "code", "para"]
    assert blocks[0].text.endswith("pointer to the head node?")
    assert blocks[1].lines == ["void mystery ( ListNode * l ) {", "if ( l ) {", "cout << l −>value << endl ;", "}", "}"]
    assert (blocks[2].marker, blocks[2].text) == ("•", "first **item** continued")
    assert (blocks[3].marker, blocks[3].text) == ("2.", "second")
    assert blocks[4].lines == ["x = 1", "", "y = 2"]


def test_a_question_after_code_is_prose():
    blocks = parse_blocks("void f(int x) {\n    return x * 2;\n}\nWhat is f(3)?\nThe result of g(2).")
    assert [b.kind for b in blocks] == ["code", "para"]
    assert blocks[1].text == "What is f(3)? The result of g(2)."


def test_parse_blocks_keeps_indentation_and_blank_lines_inside_code():
    blocks = parse_blocks("def f(n):\n    if n < 2:\n        return n\n\n    return f(n - 1)\nprint(f(5))\nExplain it.")
    assert blocks[0].lines == [
        "def f(n):",
        "    if n < 2:",
        "        return n",
        "",
        "    return f(n - 1)",
        "print(f(5))",
    ]
    assert (blocks[1].kind, blocks[1].text) == ("para", "Explain it.")


def test_inline_spans():
    assert inline_spans("a **b** `c<d>` e") == [("a ", ""), ("b", "bold"), (" ", ""), ("c<d>", "code"), (" e", "")]


def test_wrap_code_line_keeps_indentation():
    lines = wrap_code_line("    " + "x" * 30, 20)
    assert lines[0] == "    " + "x" * 16
    assert all(line.startswith("      ") for line in lines[1:])
    assert "".join(line.strip() for line in lines) == "x" * 30


def test_question_heading_and_text():
    assert question_heading(ExamQuestion("3(a)", "", 4)) == "Question 3(a) [4 points]"
    assert question_heading(ExamQuestion("Q4", "", 1)) == "Q4 [1 point]"
    assert question_heading(ExamQuestion("7", "")) == "Question 7"
    assert question_text(ExamQuestion("2", "[3 points] Briefly, why?", 3)) == "Briefly, why?"
    assert question_text(ExamQuestion("2", "[3 points] Briefly, why?")) == "[3 points] Briefly, why?"


def test_pdf_fonts_fall_back_to_helvetica_without_dejavu(tmp_path):
    assert pdf_fonts(str(tmp_path)) == HELVETICA
