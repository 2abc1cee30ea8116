"""Splitting a past exam into questions (smartnotes.generation.exam_split)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from smartnotes.generation.exam_split import (
    labels_are_sequential,
    merge_questions,
    renumber,
    split_exam,
    split_exam_text,
    split_question,
)
from smartnotes.generation.types import ExamQuestion

REPO = Path(__file__).resolve().parents[3]
FIXTURES = Path(os.environ.get("SMARTNOTES_FIXTURES", REPO.parent / "shared" / "fixtures"))
EXAM_PDF = FIXTURES / "exams" / "pdr_exam1-f21.pdf"

# CS 2150 Exam 1, fall 2021, read by hand: page 1 is the cover (name, instructions, honor pledge, a haiku),
# pages 2-5 hold questions 1-13 under "Page N: <topic>" headings, page 6 is "left blank" with an xkcd number.
# label -> (points, words the question's text must contain)
EXPECTED = {
    "1": (6, ["compile-time error messages", "how you would fix it", "undeclared"]),
    "2": (3, ["segfault with references", "three rules of references"]),
    "3": (3, ["difference between a pointer", "array base name"]),
    "4": (3, ["singly linked list", "dummy nodes", "mystery"]),
    "5": (3, ["array based", "instead of a linked-list based list"]),
    "6": (3, ["linked-list based list", "opposite reason"]),
    "7": (3, ["worst-case big-Theta", "push"]),
    "8": (6, ["big-Endian", "hexadecimal", "Show your work"]),
    "9": (6, ["-66085", "little-Endian", "two’s complement"]),
    "10": (3, ["-Wall and -g"]),
    "11": (4, ["int a[4][4]", "0xff998308"]),
    "12": (3, ["floating-point type", "mantissa", "exponent bits"]),
    "13": (2, ["UNIX honor pledge", "answer honestly"]),
}
CHROME = [
    "UVa userid",
    "Page ",
    "Lists",
    "Numbers",
    "Miscellaneous",
    "left blank",
    "xkcd",
    "CLOSED text book",
    "pens down",
    "Name",
    "You step in the stream",
]


def _exam_pdf() -> Path:
    if not EXAM_PDF.exists():
        message = f"exam fixture {EXAM_PDF} not found (set SMARTNOTES_FIXTURES)"
        pytest.fail(message + " — the suite needs ../shared beside the project")
    return EXAM_PDF


def _check_fixture_questions(questions: list[ExamQuestion]) -> None:
    assert [q.label for q in questions] == list(EXPECTED)
    for q in questions:
        points, words = EXPECTED[q.label]
        assert q.points == points, q.label
        for word in words:
            assert word in q.text, (q.label, word, q.text)
        assert "points]" not in q.text  # the marker became .points
        for chrome in CHROME:
            assert chrome not in q.text, (q.label, chrome)
    assert sum(q.points for q in questions) == 48
    by_label = {q.label: q for q in questions}
    # code listings stay inside their question, line by line
    q1 = by_label["1"].text.splitlines()
    assert len(q1) >= 12 and any("main" in line and line.rstrip().endswith("{") for line in q1)
    assert any(line.strip() == "}" for line in by_label["4"].text.splitlines())
    assert any("endl" in line for line in by_label["4"].text.splitlines())
    q8 = by_label["8"].text
    assert q8.index("Show your work") < q8.index("−6.") < q8.index("−4.")
    assert sum(line.strip() == "}" for line in q8.splitlines()) == 1


@pytest.mark.slow
def test_fixture_exam_through_the_ingestion_pipeline():
    from apps.lectures.pipeline import clean_pages, extract

    pages = clean_pages(extract(_exam_pdf(), "pdf"))
    questions = split_exam([(p.number, p.text) for p in pages])
    _check_fixture_questions(questions)


@pytest.mark.slow
def test_fixture_exam_without_header_cleaning():
    from apps.lectures.pipeline import extract

    pages = extract(_exam_pdf(), "pdf")  # running header "CS 2150 Exam 1, fall 2021 Page 2 of 6 UVa userid:"
    _check_fixture_questions(split_exam([(p.number, p.text) for p in pages]))


def test_fixture_exam_from_pdftotext_layout():
    assert shutil.which("pdftotext"), "poppler-utils is installed by scripts/setup.sh"
    text = subprocess.run(
        ["pdftotext", "-layout", str(_exam_pdf()), "-"], capture_output=True, text=True, check=True
    ).stdout
    questions = split_exam_text(text)
    _check_fixture_questions(questions)
    # the layout text keeps the listing's indentation
    q4 = next(q for q in questions if q.label == "4").text.splitlines()
    assert any(line.startswith("    ") and "if" in line for line in q4)


# --- other exam shapes ---------------------------------------------------------------------------------

DOCX_LIKE = """Midterm Examination - Data Structures

Student name: ______________   Student ID: __________

Instructions: Answer all questions. This exam is closed book.

Question 1 (5 marks)
Explain the difference between a stack and a queue. Give one use of each.

Question 2
Consider the following operations on a binary search tree.
(a) Describe how to insert a key and what happens when the key is already present. (3 marks)
(b) Explain how deletion works for a node that has two children. (4 marks)

Question 3 [10 marks]
A hash table of size 7 uses linear probing.
(a) Insert the keys 10, 3 and 17 and draw the table after each insertion.
(b) Compute the load factor and say whether the table should be resized.

Question 4 (2 marks)
Which of the following is a stable sorting algorithm?
(a) Quicksort
(b) Merge sort
(c) Heapsort

End of examination
Rough work below this line is not marked.
"""


def test_question_n_headings_with_parts_and_marks():
    questions = split_exam([(1, DOCX_LIKE)])
    assert [(q.label, q.points) for q in questions] == [
        ("1", 5),
        ("2(a)", 3),
        ("2(b)", 4),
        ("3", 10),
        ("4", 2),
    ]
    q1, q2a, q2b, q3, q4 = questions
    assert q1.text == "Explain the difference between a stack and a queue. Give one use of each."
    # separately marked parts: one question each, starting with the parent's stem, marker removed
    for part in (q2a, q2b):
        assert part.text.startswith("Consider the following operations on a binary search tree.")
        assert "marks" not in part.text
    assert "insert a key" in q2a.text and "deletion" not in q2a.text
    assert "deletion works" in q2b.text and "insert a key" not in q2b.text
    # marked as a whole: stem and parts stay together
    assert q3.text.startswith("A hash table of size 7") and "(a) Insert the keys" in q3.text
    assert "(b) Compute the load factor" in q3.text and "[10 marks]" not in q3.text
    # options of a multiple-choice question are not sub-questions
    assert "(b) Merge sort" in q4.text
    # cover-page chrome and everything after "End of examination" is gone
    for q in questions:
        assert "Student" not in q.text and "Instructions" not in q.text and "Rough work" not in q.text


def test_parts_without_points_are_split_with_the_stem():
    text = """Problem 1
Consider a min-heap stored in an array.
a) Explain how an element is inserted and how the heap property is restored.
b) Explain how the minimum is removed and what the running time of removal is.

Problem 2
Describe Dijkstra's algorithm and state when it fails.
"""
    questions = split_exam_text(text)
    assert [q.label for q in questions] == ["1(a)", "1(b)", "2"]
    assert all(q.points is None for q in questions)
    assert questions[0].text.startswith("Consider a min-heap stored in an array.\n\nExplain how an element")
    assert questions[1].text.startswith("Consider a min-heap stored in an array.\n\nExplain how the minimum")


def test_tiny_parts_stay_with_their_question():
    text = """1. [4 points] Convert to hexadecimal: (a) 31 (b) 42 (c) 255
2. [3 points] Why is a B-tree preferred over a binary search tree on disk?
"""
    questions = split_exam_text(text)
    assert [(q.label, q.points) for q in questions] == [("1", 4), ("2", 3)]
    assert "(c) 255" in questions[0].text


def test_q_labels_and_points_forms():
    text = """Q1. Define entropy and explain why the uniform distribution maximises it. [4 pts]
Q2: State Bayes' theorem and name each of its terms.
Q 3: What is overfitting? How does regularisation help? (6 points)
"""
    questions = split_exam_text(text)
    assert [(q.label, q.points) for q in questions] == [("Q1", 4), ("Q2", None), ("Q3", 6)]
    assert questions[0].text == "Define entropy and explain why the uniform distribution maximises it."
    assert questions[2].text == "What is overfitting? How does regularisation help?"


def test_numbered_code_lines_are_not_questions():
    text = """1. [5 points] What does this program print?

1. int x = 3;
2. int y = x * 2;
3. printf("%d", y);

2. [5 points] Explain the output of the following loop:
for (int i = 0; i < 3; i++) {
    printf("%d", i);
}
3. [2 points] Name two stable sorting algorithms.
"""
    questions = split_exam_text(text)
    assert [(q.label, q.points) for q in questions] == [("1", 5), ("2", 5), ("3", 2)]
    assert questions[0].text.splitlines() == [
        "What does this program print?",
        "",
        "1. int x = 3;",
        "2. int y = x * 2;",
        '3. printf("%d", y);',
    ]
    assert '    printf("%d", i);' in questions[1].text.splitlines()


def test_numbered_options_inside_a_question_are_not_questions():
    text = """1. What is a process, and how does it differ from a thread?
2. Which of these scheduling policies can starve a process?
1. Round robin
2. Shortest job first
3. Priority scheduling
3. Explain the convoy effect.
"""
    questions = split_exam_text(text)
    assert [q.label for q in questions] == ["1", "2", "3"]
    assert "Shortest job first" in questions[1].text and "Priority scheduling" in questions[1].text
    assert questions[2].text == "Explain the convoy effect."


def test_wild_jumps_and_backward_numbers_are_not_questions():
    text = """1. Explain how a linked list is traversed.
The list below shows the node values:
42. first node
7. second node
2. Explain why binary search needs sorted input.
"""
    questions = split_exam_text(text)
    assert [q.label for q in questions] == ["1", "2"]
    assert "42. first node" in questions[0].text and "7. second node" in questions[0].text


def test_numbered_instructions_before_the_questions():
    text = """Instructions
1. Write your name on every page.
2. No calculators.
3. Answer in the space provided.

1. Explain what an operating system does.
2. What is a system call?
3. Describe the process states.
4. What is a zombie process?
"""
    questions = split_exam_text(text)
    assert [q.label for q in questions] == ["1", "2", "3", "4"]
    assert questions[0].text == "Explain what an operating system does."
    assert questions[3].text == "What is a zombie process?"


def test_label_on_its_own_line_and_roman_parts():
    text = """1.
[5 points] Explain recursion and give an example.

2. Consider a TCP connection between two hosts.
(i) Explain how the three-way handshake establishes the connection. [3 marks]
(ii) Explain how the connection is torn down and why TIME_WAIT exists. [3 marks]
"""
    questions = split_exam_text(text)
    assert [(q.label, q.points) for q in questions] == [("1", 5), ("2(i)", 3), ("2(ii)", 3)]
    assert questions[0].text == "Explain recursion and give an example."
    assert questions[2].text == (
        "Consider a TCP connection between two hosts.\n\n"
        "Explain how the connection is torn down and why TIME_WAIT exists."
    )


def test_a_numbered_code_listing_alone_is_not_a_question_numbering():
    text = """Consider the following program and explain what it prints:

1. int x = 3;
2. int y = x * 2;
3. printf("%d", y);
"""
    questions = split_exam_text(text)
    assert len(questions) == 1 and questions[0].label == "1"
    assert questions[0].text.endswith('3. printf("%d", y);')


def test_page_chrome_is_removed():
    pages = [
        "ECON 101 Final Exam    Spring 2024\nName: ____________   Student ID: __________\n"
        "Honor pledge: I have neither given nor received aid on this exam.\n\n1",
        "ECON 101 Final Exam    Spring 2024\nPage 2\n1. (10 marks) Explain the law of demand.\n"
        "2. (5 marks) Define opportunity cost and give an example.\n(continued on next page)\n2",
        "ECON 101 Final Exam    Spring 2024\nThe example must involve a choice you made.\n"
        "3. (5 marks) What is a price ceiling?\n__________________\n3",
        "ECON 101 Final Exam    Spring 2024\nThis page intentionally left blank.\n4",
    ]
    questions = split_exam(list(enumerate(pages, start=1)))
    assert [(q.label, q.points, q.text) for q in questions] == [
        ("1", 10, "Explain the law of demand."),
        ("2", 5, "Define opportunity cost and give an example.\n\nThe example must involve a choice you made."),
        ("3", 5, "What is a price ceiling?"),
    ]


def test_no_numbering_gives_one_question_per_paragraph():
    text = """Final exam - Operating Systems

This exam is closed book. Write your name on every page.

Explain what a race condition is and how a mutex prevents it.

Consider this code:

int counter = 0;
void inc() { counter++; }

Describe the difference between paging and segmentation.

OK

Why does thrashing happen?
"""
    questions = split_exam_text(text)
    assert [q.label for q in questions] == ["1", "2", "3", "4"]
    assert labels_are_sequential(questions)
    assert questions[0].text == "Explain what a race condition is and how a mutex prevents it."
    assert questions[1].text.startswith("Consider this code:") and "void inc() { counter++; }" in questions[1].text
    assert questions[2].text == "Describe the difference between paging and segmentation."
    assert questions[3].text == "Why does thrashing happen?"


def test_word_autonumbered_questions_arrive_as_bullets():
    # the pipeline turns Word's automatic numbering into "• " items; no numbers are left in the text
    text = """Networks quiz

• Explain the difference between TCP and UDP.
• Describe what happens during a TCP three-way handshake.

Which layer does IP belong to?

• Transport layer
• Network layer
"""
    questions = split_exam_text(text)
    assert [q.text.splitlines()[0] for q in questions] == [
        "Explain the difference between TCP and UDP.",
        "Describe what happens during a TCP three-way handshake.",
        "Which layer does IP belong to?",
    ]
    assert "• Network layer" in questions[2].text


@pytest.mark.parametrize("text", ["", "   \n\n  ", "\f\f"])
def test_empty_text_gives_no_questions(text):
    assert split_exam_text(text) == []
    assert split_exam([]) == []
    assert split_exam([(1, text)]) == []


# --- editing helpers -----------------------------------------------------------------------------------


def test_merge_sub_parts_back_into_their_question():
    questions = split_exam([(1, DOCX_LIKE)])
    merged = merge_questions(questions, 1)
    assert [(q.label, q.points) for q in merged] == [("1", 5), ("2", 7), ("3", 10), ("4", 2)]
    text = merged[1].text
    assert text.count("Consider the following operations on a binary search tree.") == 1
    assert "insert a key" in text and "deletion works" in text
    assert [q.label for q in questions][:3] == ["1", "2(a)", "2(b)"]  # the input is unchanged


def test_merge_plain_questions_and_bounds():
    questions = [
        ExamQuestion("1", "First part of a question", 2),
        ExamQuestion("2", "its second half", None),
        ExamQuestion("3", "Another question", 4),
    ]
    merged = merge_questions(questions, 0)
    assert merged == [
        ExamQuestion("1", "First part of a question\n\nits second half", 2),
        ExamQuestion("3", "Another question", 4),
    ]
    assert merge_questions(questions, 1)[1].points == 4
    with pytest.raises(IndexError):
        merge_questions(questions, 2)
    with pytest.raises(IndexError):
        merge_questions(questions, -1)


def test_split_question_takes_a_label_printed_at_the_cut():
    text = "Explain the law of demand.\n4. [3 points] Define elasticity."
    questions = [ExamQuestion("3", text, 5)]
    result = split_question(questions, 0, text.index("4."))
    assert result == [ExamQuestion("3", "Explain the law of demand.", 5), ExamQuestion("4", "Define elasticity.", 3)]
    assert questions == [ExamQuestion("3", text, 5)]  # the input is unchanged

    part = "Stem.\n\nFirst part.\n(b) Second part."
    result = split_question([ExamQuestion("2(a)", part, None)], 0, part.index("(b)"))
    assert [q.label for q in result] == ["2(a)", "2(b)"] and result[1].text == "Second part."


def test_split_question_without_label_and_renumber():
    questions = [
        ExamQuestion("1", "Explain paging. Then explain segmentation.", None),
        ExamQuestion("2", "Why does thrashing happen?", None),
    ]
    cut = questions[0].text.index("Then")
    result = split_question(questions, 0, cut)
    assert [(q.label, q.text) for q in result] == [
        ("1", "Explain paging."),
        ("1-2", "Then explain segmentation."),
        ("2", "Why does thrashing happen?"),
    ]
    assert labels_are_sequential(questions) and not labels_are_sequential(result)
    assert [q.label for q in renumber(result)] == ["1", "2", "3"]
    assert [q.text for q in renumber(result)] == [q.text for q in result]
    for bad in (0, len(questions[0].text), len(questions[0].text) + 5):
        with pytest.raises(ValueError):
            split_question(questions, 0, bad)
    with pytest.raises(IndexError):
        split_question(questions, 2, 3)


def test_module_imports_no_django():
    code = (
        "import sys\n"
        "import smartnotes.generation.exam_split\n"
        "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        "assert not bad, bad\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
