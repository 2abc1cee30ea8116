"""The model-backed path end to end through the Django job (in this process), from a real lecture (the py4e
Expressions deck, ingested for real), with the fake OpenAI server scripted the way an imperfect model answers."""

import html
import json
import re
import subprocess
from collections import Counter

import pytest
from docx import Document

from apps.documents.models import DocType, GeneratedDocument
from apps.documents.tests.helpers import generate_now
from smartnotes.generation import ai_generation, make, prompts

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# (page, question, correct option, three distractors, explanation in the words of that page of the deck)
FACTS = [
    (
        2,
        "Why are fixed values such as numbers, letters and strings called constants?",
        "Because their value does not change",
        [
            "Because they are stored in reserved memory",
            "Because Python converts them to floats",
            "Because they can only be printed once",
        ],
        "Fixed values such as numbers, letters, and strings are called constants because their value does not change.",
    ),
    (
        3,
        "What can reserved words not be used as?",
        "Variable names or identifiers",
        ["Values inside strings", "Text after a comment sign", "Arguments of the print function"],
        "You cannot use reserved words as variable names / identifiers.",
    ),
    (
        4,
        "What is a variable?",
        "A named place in the memory where data is stored",
        ["A fixed value that never changes", "A reserved word of the language", "An operator that joins strings"],
        "A variable is a named place in the memory where a programmer can store data and later retrieve it.",
    ),
    (
        6,
        "What must a Python variable name start with?",
        "A letter or underscore",
        ["A digit from zero to nine", "A hash sign", "A reserved keyword"],
        "Variable names must start with a letter or underscore.",
    ),
    (
        12,
        "What does an assignment statement consist of?",
        "An expression on the right-hand side and a variable to store the result",
        ["Two variables compared for equality", "A reserved word followed by a string", "A comment and a print call"],
        "An assignment statement consists of an expression on the right-hand side and a variable to store the result.",
    ),
    (
        19,
        "Which rule has the highest precedence in Python's operator precedence rules?",
        "Parentheses are always respected",
        [
            "Addition and subtraction come first",
            "Operators are evaluated right to left",
            "Remainder is always done first",
        ],
        "Highest precedence rule to lowest: parentheses are always respected.",
    ),
    (
        22,
        "What does the + operator mean when both operands are strings?",
        "Concatenate, meaning put together",
        ["Add up the character codes", "Repeat the first string", "Compare the two strings"],
        "+ means addition if something is a number and concatenate if something is a string.",
    ),
    (
        23,
        "How can we ask Python what type something is?",
        "By using the type() function",
        ["By using the input() function", "By adding 1 to it", "By converting it with float()"],
        "We can ask Python what type something is by using the type() function.",
    ),
    (
        25,
        "What happens to an integer in an expression together with a floating point number?",
        "It is implicitly converted to a float",
        ["It is rounded down to the nearest integer", "It raises a TypeError", "It is converted to a string"],
        "When you put an integer and floating point in an expression, the integer is implicitly converted to a float.",
    ),
    (
        26,
        "What does dividing integers with the / operator produce?",
        "Always a floating point result",
        ["Always an integer result", "The remainder of the division", "A string holding the digits"],
        "Dividing integers and floating point numbers using the / operator always produces a floating point result.",
    ),
    (
        27,
        "What is the result of floor division with the // operator?",
        "The division rounded down to the nearest integer value",
        [
            "The division rounded up to the next even number",
            "The remainder after division",
            "The power of the two operands",
        ],
        "Division using // produces the floor of the division: the result is rounded down to the nearest integer.",
    ),
    (
        29,
        "What does the input() function return?",
        "A string",
        ["An integer", "A floating point number", "Nothing at all"],
        "The input() function returns a string.",
    ),
    (
        31,
        "What does Python do with anything after a # sign?",
        "It ignores it",
        ["It prints it", "It converts it to a string", "It runs it as a command"],
        "Anything after a # is ignored by Python.",
    ),
]
CORRECT = {question: correct for _, question, correct, _, _ in FACTS}
PAGE = {question: page for page, question, _, _, _ in FACTS}


def item(i: int, **changes) -> dict:
    """Fact ``i`` as a model would write it (the correct option first, as "A")."""
    page, question, correct, distractors, explanation = FACTS[i]
    data = {"question": question, "options": [correct, *distractors], "correct": "A", "explanation": explanation}
    data["page"] = page
    data.update(changes)
    return data


def questions(*items) -> str:
    return json.dumps({"questions": list(items)})


class Script:
    """Scripted chat replies in order (the last one repeats)."""

    def __init__(self, *replies):
        self.replies = list(replies)

    def __call__(self, messages):
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        return reply(messages) if callable(reply) else reply


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def assert_failed_readably(document: GeneratedDocument, code: str) -> None:
    assert document.status == "failed"
    assert document.error_code == code
    message = document.error_message
    assert message and len(message) < 300 and message[0].isupper() and message.rstrip().endswith(".")
    for trace in ("Traceback", 'File "', "Error:", "Exception", "{", "pydantic"):
        assert trace not in message, message
    assert not document.file
    assert not GeneratedDocument.objects.filter(status__in=("pending", "processing")).exists()


# --- quiz ----------------------------------------------------------------------------------------------


def test_an_imperfect_model_still_gives_a_quiz_of_exactly_n_valid_questions(py4e, user, fake_openai_env):
    n = 10
    _, _, correct, distractors, _ = FACTS[2]
    first = questions(
        item(0),
        item(1),
        item(2, options=[correct, "a named place in the memory, where data is stored!", *distractors[:2]]),
        item(3),
        item(4, correct=["A", "C"]),
        item(5),
        item(6, options=item(6)["options"][:3]),
        item(7),
        item(8),
    )  # nine questions (one short), three of them broken
    fake_openai_env.reply = Script(
        "Sure! Here are ten multiple-choice questions about Python expressions.",  # not JSON
        first,
        questions(item(2), item(4)),  # the repair fixes two of the three
        questions(item(6), item(9), item(10)),  # the regeneration of the missing two (one too many)
    )
    document = generate_now(actor=user, lecture=py4e, doc_type=DocType.QUIZ, questions=n, answer_key=True)

    assert document.status == "completed", document.error_message
    assert not document.made_offline
    assert len(fake_openai_env.chat_requests) == 4
    asked = [r["messages"][-1]["content"] for r in fake_openai_env.chat_requests]
    assert "not valid JSON" in asked[1]
    assert "options A and B are the same or nearly the same" in asked[2]
    assert "marks 2 options (A and C) as correct" in asked[2] and "has 3 options" in asked[2]
    assert "Write 2 multiple-choice questions" in asked[3]

    stored = document.content["questions"]
    assert len(stored) == n
    assert {q["question"] for q in stored} == {FACTS[i][1] for i in range(10)}
    pages = {p.number: p.text for p in py4e.pages.all()}
    for q in stored:
        assert len(q["options"]) == 4 and len({o.casefold() for o in q["options"]}) == 4
        assert q["options"][q["correct"]] == CORRECT[q["question"]]
        assert q["page"] == PAGE[q["question"]] and q["page"] in pages
    counts = Counter(q["correct"] for q in stored)
    assert max(counts.get(i, 0) for i in range(4)) - min(counts.get(i, 0) for i in range(4)) <= 1
    assert "notice" not in document.metadata  # nothing to tell the student

    text = pdf_text(document.file.path)
    numbered = [int(m) for m in re.findall(r"^\s*(\d+)\.\s", text, re.M)]
    assert sorted(set(numbered)) == list(range(1, n + 1))
    assert len(re.findall(r"^\s*[A-D]\.\s", text, re.M)) >= 4 * n
    assert "Answer key" in text
    assert "Concatenate, meaning put together" in text


def test_a_model_that_keeps_answering_garbage_fails_the_quiz_with_a_clear_reason(py4e, user, fake_openai_env):
    fake_openai_env.reply = "I am sorry, I cannot help with that. <html>500</html>"
    document = generate_now(actor=user, lecture=py4e, doc_type=DocType.QUIZ, questions=10)
    assert_failed_readably(document, "invalid_output")
    assert document.error_message == ai_generation.INVALID_MESSAGE
    assert len(fake_openai_env.chat_requests) == 2  # the request and one repair, then it gives up


def test_a_model_whose_questions_never_pass_the_checks_fails_with_a_clear_reason(py4e, user, fake_openai_env):
    junk = {"question": "Which?", "options": ["x", "x", "x", "All of the above"], "correct": ["A", "B"], "page": 99}
    fake_openai_env.reply = questions(*[junk] * 10)
    document = generate_now(actor=user, lecture=py4e, doc_type=DocType.QUIZ, questions=10)
    assert_failed_readably(document, "invalid_output")
    assert "did not pass the checks" in document.error_message


def test_endpoint_down_still_completes_offline_with_the_fallback_notice(py4e, user, fake_openai_env):
    fake_openai_env.fail_next(1000, status=503)
    quiz = generate_now(actor=user, lecture=py4e, doc_type=DocType.QUIZ, questions=10)
    sheet = generate_now(actor=user, lecture=py4e, doc_type=DocType.CHEAT_SHEET, length="1")
    for document in (quiz, sheet):
        assert document.status == "completed", document.error_message
        assert document.made_offline
        assert document.content["made_offline"]
        assert document.metadata["notice"].startswith(make.FALLBACK_NOTICE)
        assert document.file and document.file_size > 0
    assert len(quiz.content["questions"]) == 10
    assert {r.status for r in fake_openai_env.chat_requests} == {503}
    assert "without an AI model" in "\n".join(p.text for p in Document(sheet.file.path).paragraphs)


# --- cheat sheet ---------------------------------------------------------------------------------------


def _passages(user_message: str) -> dict[int, str]:
    found = re.findall(r'<passage page="(\d+)">\n(.*?)\n</passage>', user_message, re.S)
    pages: dict[int, str] = {}
    for page, text in found:
        pages.setdefault(int(page), html.unescape(text))
    return pages


def cheat_sheet_reply(messages):
    """Map: a point per page of the batch, quoting its first line, plus points citing pages that are not in the
    batch or do not exist. Reduce: the draft regrouped, with one invented section and invented pages added."""
    system, user_message = messages[0]["content"], messages[-1]["content"]
    if system == prompts.CHEAT_MAP_SYSTEM:
        pages = _passages(user_message)
        first = min(pages)
        points = [{"text": " ".join(text.split()[:12]), "pages": [page, 400]} for page, text in sorted(pages.items())]
        points += [{"text": "A page that is not in this batch", "pages": [first + 300]}, {"text": "No page at all"}]
        return json.dumps({"sections": [{"heading": f"Slides from {first}", "points": points}]})
    draft = json.loads(html.unescape(user_message.split("<draft>\n", 1)[1].split("\n</draft>", 1)[0]))
    points = [p for s in draft["sections"] for p in s["points"]]
    sections = [
        {"heading": "Basics", "points": [{**p, "pages": [*p["pages"], 0]} for p in points[:15]]},
        {"heading": "Invented", "points": [{"text": "Python was released in 1850", "pages": [77, "p. 123"]}]},
        {
            "heading": "More",
            "points": [{"text": p["text"], "page": f"{p['pages'][0]}-{p['pages'][0] + 1}"} for p in points[15:30]],
        },
    ]
    return json.dumps(sections)  # a bare list of sections, as some models answer


def test_a_cheat_sheet_from_the_model_keeps_only_real_pages(py4e, user, fake_openai_env):
    fake_openai_env.reply = cheat_sheet_reply
    document = generate_now(actor=user, lecture=py4e, doc_type=DocType.CHEAT_SHEET, length="1")

    assert document.status == "completed", document.error_message
    assert not document.made_offline and "notice" not in document.metadata
    systems = [r["messages"][0]["content"] for r in fake_openai_env.chat_requests]
    assert systems.count(prompts.CHEAT_REDUCE_SYSTEM) == 1 and systems[-1] == prompts.CHEAT_REDUCE_SYSTEM
    assert systems.count(prompts.CHEAT_MAP_SYSTEM) >= 1

    real = set(py4e.pages.values_list("number", flat=True))
    assert real == set(range(1, 36))
    sections = document.content["sections"]
    headings = [s["heading"] for s in sections]
    assert headings == ["Basics", "More"]  # the section citing only invented pages is gone
    cited = [page for s in sections for p in s["points"] for page in p["pages"]]
    assert cited and set(cited) <= real
    texts = [p["text"] for s in sections for p in s["points"]]
    assert "Python was released in 1850" not in texts
    assert not any("not in this batch" in t or "No page at all" in t for t in texts)
    assert sum(len(s["points"]) for s in sections) <= prompts.sheet_size(1)[2]

    doc = Document(document.file.path)
    body = "\n".join(p.text for p in doc.paragraphs)
    refs = [int(n) for run in re.findall(r"\bpp?\. (\d[\d, –]*)", body) for n in re.findall(r"\d+", run)]
    assert refs and all(n in real for n in refs)
    assert "Basics" in body and "Invented" not in body


def test_a_cheat_sheet_model_that_answers_garbage_fails_with_a_clear_reason(py4e, user, fake_openai_env):
    fake_openai_env.reply = json.dumps(
        {"sections": [{"heading": "Everything", "points": [{"text": "x", "pages": [999]}]}]}
    )
    document = generate_now(actor=user, lecture=py4e, doc_type=DocType.CHEAT_SHEET, length="1")
    assert_failed_readably(document, "invalid_output")
    assert document.error_message == ai_generation.INVALID_MESSAGE
