"""Offline (no AI model) documents generated end to end from a real fixture deck, read back as a student would."""

import re
import subprocess

import pytest
from docx import Document

from apps.documents.models import DocType
from apps.documents.tests.helpers import generate_now

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_offline_quiz_pdf_holds_n_numbered_questions_and_the_key(py4e, user):
    document = generate_now(actor=user, lecture=py4e, doc_type=DocType.QUIZ, questions=10, answer_key=True)
    assert document.status == "completed", document.error_message
    assert document.made_offline
    questions = document.content["questions"]
    assert len(questions) == 10
    text = subprocess.run(["pdftotext", "-layout", document.file.path, "-"], capture_output=True, text=True).stdout
    for n in range(1, 11):
        assert re.search(rf"^\s*{n}\.\s", text, re.M), f"question {n} missing"
    assert len(re.findall(r"^\s*[A-D]\.\s", text, re.M)) >= 40
    assert "Answer key" in text
    pages = {p.number: p.text.lower() for p in py4e.pages.all()}
    for q in questions:
        assert q["page"] in pages
        assert len(set(o.lower() for o in q["options"])) == 4


def test_offline_cheat_sheet_docx_has_the_seed_layout_and_real_page_references(py4e, user):
    document = generate_now(actor=user, lecture=py4e, doc_type=DocType.CHEAT_SHEET, length="1")
    assert document.status == "completed", document.error_message
    doc = Document(document.file.path)
    section = doc.sections[0]
    assert round(section.left_margin.inches, 2) == 0.5 and round(section.top_margin.inches, 2) == 0.5
    cols = section._sectPr.xpath("./w:cols")[0]
    assert cols.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num") == "2"
    assert doc.styles["Normal"].font.name == "Arial" and doc.styles["Normal"].font.size.pt == 9
    refs = [int(n) for p in doc.paragraphs for n in re.findall(r"\bpp?\. (\d+)", p.text)]
    assert refs and all(1 <= n <= py4e.page_count for n in refs)
    assert "without an AI model" in "\n".join(p.text for p in doc.paragraphs)
