import datetime as dt
import re
import shutil
import subprocess

from docx import Document

from apps.documents.builders import build_past_paper_docx, build_past_paper_pdf
from apps.documents.builders.common import NOT_COVERED, OFFLINE_NOTE
from smartnotes.generation.types import Citation, ExamAnswer, ExamQuestion, PastPaperAnswers

MYSTERY = (
    "[3 points] Consider a singly linked list. Briefly, what does the following code do if given the pointer to the\n"
    "head node?\n"
    "void mystery ( ListNode * l ) {\n"
    "if ( l ) {\n"
    "mystery ( l −>next ) ;\n"
    "cout << l −>value << endl ;\n"
    "}\n"
    "}"
)
CODE_LINES = ["void mystery ( ListNode * l ) {", "if ( l ) {", "mystery ( l −>next ) ;", "cout << l −>value << endl ;"]


def paper(**kwargs) -> PastPaperAnswers:
    answers = [
        ExamAnswer(
            ExamQuestion("4", MYSTERY, 3),
            "It prints the list **in reverse order**: each `cout` runs as the recursive calls return.",
            [Citation("Lists", 7), Citation("C++ basics", 12), Citation("Lists", 3)],
        ),
        ExamAnswer(
            ExamQuestion("9", "What is -66085 in little-endian hexadecimal? Show your work!", 6),
            "Invert and add one:\n```\n    0x00010225\n    0xFFFEFDDB\n```\nLittle-endian: DB FD FE FF.",
            [Citation("Numbers", 14)],
        ),
        ExamAnswer(ExamQuestion("13", "Have you completed the UNIX honor pledge?", 2), "", [], covered=False),
        ExamAnswer(ExamQuestion("Q5(b)", "Name two uses of a stack."), "Undo history and call frames.", []),
    ]
    kwargs.setdefault("generated_on", dt.date(2025, 3, 5))
    return PastPaperAnswers("CS 2150 Exam 1, fall 2021", answers, **kwargs)


def docx_paragraphs(path) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in Document(str(path)).paragraphs]


def pdf_text(path, mode="-layout") -> str:
    return subprocess.run(["pdftotext", mode, str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_docx_holds_questions_answers_sources_and_not_covered(tmp_path):
    path = build_past_paper_docx(paper(), tmp_path / "out" / "paper.docx")
    paragraphs = docx_paragraphs(path)
    texts = [text for _, text in paragraphs]
    assert texts[0] == "CS 2150 Exam 1, fall 2021"
    assert "5 March 2025" in texts[1]
    headings = [text for style, text in paragraphs if style == "Paper Question"]
    assert headings == ["Question 4 [3 points]", "Question 9 [6 points]", "Question 13 [2 points]", "Q5(b)"]
    assert not any(text.startswith("[3 points]") for text in texts)  # shown once, in the heading
    assert "It prints the list in reverse order: each cout runs as the recursive calls return." in texts
    assert "Undo history and call frames." in texts
    sources = [text for style, text in paragraphs if style == "Paper Sources"]
    assert sources == ["Sources: Lists p. 3, p. 7; C++ basics p. 12", "Sources: Numbers p. 14"]
    missing = [i for i, text in enumerate(texts) if text == NOT_COVERED]
    assert len(missing) == 1
    assert texts[missing[0] - 3] == "Question 13 [2 points]"
    assert OFFLINE_NOTE not in texts
    assert Document(str(path)).core_properties.title == "CS 2150 Exam 1, fall 2021"


def test_docx_code_is_monospace_with_its_line_breaks(tmp_path):
    doc = Document(str(build_past_paper_docx(paper(), tmp_path / "paper.docx")))
    code = [p for p in doc.paragraphs if p.style.name == "Paper Code"]
    assert [p.text.split("\n") for p in code] == [CODE_LINES + ["}", "}"], ["    0x00010225", "    0xFFFEFDDB"]]
    assert doc.styles["Paper Code"].font.name == "Courier New"
    prose = [p for p in doc.paragraphs if p.style.name == "Paper Prompt"]
    assert prose[0].text.startswith("Consider a singly linked list.") and prose[0].text.endswith("head node?")
    answer = next(p for p in doc.paragraphs if p.text.startswith("It prints the list"))
    assert [r.text for r in answer.runs if r.bold] == ["in reverse order"]
    assert [r.text for r in answer.runs if r.font.name == "Courier New"] == ["cout"]


def test_pdf_holds_questions_answers_sources_and_not_covered(tmp_path):
    path = build_past_paper_pdf(paper(made_offline=True), tmp_path / "out" / "paper.pdf")
    text = pdf_text(path)
    for heading in ("Question 4 [3 points]", "Question 9 [6 points]", "Question 13 [2 points]", "Q5(b)"):
        assert heading in text
    assert re.search(r"It prints the list in reverse order: each cout runs as the recursive calls\s+return\.", text)
    assert "Undo history and call frames." in text
    assert "Sources: Lists p. 3, p. 7; C++ basics p. 12" in text
    assert "Sources: Numbers p. 14" in text
    assert text.count(NOT_COVERED) == 1
    assert text.index("Question 13") < text.index(NOT_COVERED) < text.index("Q5(b)")
    assert OFFLINE_NOTE in text
    lines = [line.strip() for line in text.splitlines()]
    start = lines.index(CODE_LINES[0])
    assert lines[start : start + 4] == CODE_LINES
    assert "    0x00010225" in pdf_text(path, "-raw") or re.search(r"^\s+0x00010225$", text, re.M)


def test_pdf_code_uses_a_monospace_font(tmp_path):
    assert shutil.which("pdffonts"), "poppler-utils is installed by scripts/setup.sh"
    path = build_past_paper_pdf(paper(), tmp_path / "paper.pdf")
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"DejaVuSansMono|Courier", fonts)


HOSTILE = PastPaperAnswers(
    "<exam> & \x00 co 😀",
    [
        ExamAnswer(ExamQuestion("<b>1</b>", "& < > </para> " + "z" * 5000, 0), "<br/> & " * 400, [Citation("<L&>", 1)]),
        ExamAnswer(ExamQuestion("", ""), "```\nunterminated fence " + "c" * 3000, [Citation("", 2)]),
        ExamAnswer(ExamQuestion("2", "\x0b\x1f"), "   ", [], covered=True),
    ],
)


def test_hostile_docx(tmp_path):
    texts = [text for _, text in docx_paragraphs(build_past_paper_docx(HOSTILE, tmp_path / "h.docx"))]
    assert "<exam> & co 😀" in texts
    assert "<b>1</b>" in texts
    assert "Question" in texts  # no label
    assert "Sources: <L&> p. 1" in texts
    assert "Sources: p. 2" in texts
    assert texts.count(NOT_COVERED) == 1  # a blank answer counts as not covered


def test_hostile_pdf(tmp_path):
    text = pdf_text(build_past_paper_pdf(HOSTILE, tmp_path / "h.pdf"), "-raw")
    assert "<exam> & co" in text
    assert "<b>1</b>" in text
    assert "Sources: <L&> p. 1" in text
    assert text.count(NOT_COVERED) == 1
