import datetime as dt
import re
import subprocess

import pytest

from apps.documents.builders import build_quiz_pdf
from smartnotes.generation.types import Quiz, QuizQuestion


def page_count(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def page_text(path, page: int, mode="-layout") -> str:
    args = ["pdftotext", mode, "-f", str(page), "-l", str(page), str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def pages(path, mode="-layout") -> list[str]:
    return [page_text(path, n, mode) for n in range(1, page_count(path) + 1)]


def make_quiz(n=12, **kwargs) -> Quiz:
    questions = [
        QuizQuestion(
            f"Stem of question {i}: what does this operator do when it is applied to two integers in a long "
            f"expression that needs to wrap onto a second line?",
            [f"q{i}-A", f"q{i}-B", f"q{i}-C is a much longer option that should also wrap around the line", f"q{i}-D"],
            correct=i % 4,
            explanation=f"Explanation {i}",
            page=i + 2,
        )
        for i in range(1, n + 1)
    ]
    kwargs.setdefault("generated_on", dt.date(2025, 3, 5))
    return Quiz("Python Expressions – Lecture 2", questions, **kwargs)


@pytest.fixture
def quiz_pdfs(tmp_path):
    quiz = make_quiz()
    return (
        quiz,
        build_quiz_pdf(quiz, tmp_path / "q" / "key.pdf"),
        build_quiz_pdf(quiz, tmp_path / "nokey.pdf", answer_key=False),
    )


def test_numbered_questions_each_with_four_options(quiz_pdfs):
    quiz, _, path = quiz_pdfs
    text = "\n".join(pages(path))
    numbered = re.findall(r"^\s*(\d+)\.\s+Stem of question (\d+):", text, re.M)
    expected = [str(n) for n in range(1, len(quiz.questions) + 1)]
    assert numbered == list(zip(expected, expected, strict=True))
    chunks = re.split(r"^\s*\d+\.\s+Stem of question", text, flags=re.M)[1:]
    for i, chunk in enumerate(chunks, start=1):
        options = re.findall(r"^\s*([A-D])\.\s+q(\d+)-\1", chunk, re.M)
        assert options == [(letter, str(i)) for letter in "ABCD"], chunk


def test_questions_are_not_split_across_pages(quiz_pdfs):
    quiz, _, path = quiz_pdfs
    texts = pages(path)
    assert len(texts) >= 2  # otherwise this test proves nothing
    for i in range(1, len(quiz.questions) + 1):
        (page,) = [t for t in texts if f"Stem of question {i}:" in t]
        assert f"q{i}-D" in page


def test_answer_key_page_only_when_asked(quiz_pdfs):
    quiz, with_key, without_key = quiz_pdfs
    assert page_count(with_key) == page_count(without_key) + 1
    key = pages(with_key)[-1]
    assert key.lstrip().startswith("Answer key")
    assert "Stem of question" not in key
    for i, q in enumerate(quiz.questions, start=1):
        assert re.search(rf"^\s*{i}\.\s+{q.correct_letter}\s+—\s+Explanation {i} \(p\. {q.page}\)\s*$", key, re.M), key
    assert "Answer key" not in "\n".join(pages(without_key))


def test_header_name_score_date_and_footer_page_numbers(quiz_pdfs):
    _, path, _ = quiz_pdfs
    texts = pages(path)
    first = texts[0]
    assert "Python Expressions – Lecture 2" in first
    assert "5 March 2025 · 12 questions" in first
    assert re.search(r"Name: _{10,}\s+Score: _+ / 12", first)
    assert "Made without an AI model" not in first
    for n, text in enumerate(texts, start=1):
        assert re.search(rf"page {n}\s*$", text.rstrip("\f"), re.M), text[-200:]


def test_offline_note(tmp_path):
    path = build_quiz_pdf(make_quiz(2, made_offline=True), tmp_path / "q.pdf")
    assert "Made without an AI model" in page_text(path, 1)


def test_hostile_text_is_escaped_not_parsed(tmp_path):
    questions = [
        QuizQuestion("<b>&amp; & < > </para> 😀 Ünïcödé?", ["<i>", "a & b", "x < y > z", "&lt;"], 2, "<br/>&", 1),
        QuizQuestion("y" * 5000, ["word " * 300, "\x00\x0b", "", "ok"], 0, "e" * 3000, 2),
        QuizQuestion("Consider:\nvoid f(int x) {\n    return x * 2;\n}\nWhat is f(3)?", ["6", "3", "9", "0"], 0, "", 3),
    ]
    path = build_quiz_pdf(Quiz("<Quiz & co>", questions), tmp_path / "q.pdf")
    text = "\n".join(pages(path))
    raw = "\n".join(pages(path, "-raw"))  # -layout squeezes "a & b" to "a&b"
    assert "<b>&amp; & < > </para>" in text
    assert "Ünïcödé" in text
    assert "A. <i>\nB. a & b\nC. x < y > z\nD. &lt;\n" in raw
    assert "<Quiz & co>" in text
    assert "    return x * 2;" in text  # the code keeps its line breaks and indentation
    assert re.search(r"^\s*B\.\s*\n\s*C\.\s*\n\s*D\.\s+ok", text, re.M)  # empty options keep their letters
    key = pages(path)[-1]
    assert re.search(r"^\s*1\.\s+C\s+—\s+<br/>& \(p\. 1\)$", key, re.M)
    assert re.search(r"^\s*3\.\s+A \(p\. 3\)$", key, re.M)  # no explanation: no dangling dash


def test_empty_quiz(tmp_path):
    path = build_quiz_pdf(Quiz("Empty", []), tmp_path / "q.pdf")
    assert page_count(path) == 1
