"""The generation run for one document: material → generate (model or extractive) → build the file → store.

Runs inside a django-q2 worker as a job of the shared runner (apps/jobs). The file is written to a temporary
path first and moved into place inside ``current_run``, so a superseded run leaves nothing behind.
"""

import logging
import tempfile
from pathlib import Path

from django.core.files import File

from apps.documents import material as materials
from apps.documents.builders import build_cheat_sheet_docx, build_past_paper_docx, build_quiz_pdf
from apps.documents.jobs import GENERATE
from apps.documents.models import DocType, GeneratedDocument
from apps.jobs import runner
from smartnotes.generation import make, serialize
from smartnotes.generation.errors import GenerationError
from smartnotes.generation.types import ExamAnswer, ExamQuestion, PastPaperAnswers

log = logging.getLogger(__name__)


def run(document_id: int, token: str) -> str:
    return runner.execute(GENERATE, document_id, token, _work)


def file_name(document: GeneratedDocument, fmt: str | None = None) -> str:
    stem = "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in document.lecture.name).strip()[:80]
    kind = document.doc_type.replace("_", "-")
    return f"{stem or 'lecture'} - {kind} v{document.version}.{fmt or document.format}"


def _work(document: GeneratedDocument, tracker: runner.ProgressTracker) -> None:
    def progress(done, total, step):
        tracker.update("generate", done, total, step)

    try:
        tracker.update("material", 0, 1, "Reading your notes", force=True)
        builder = {DocType.CHEAT_SHEET: _cheat_sheet, DocType.QUIZ: _quiz, DocType.PAST_PAPER: _past_paper}
        content, made_offline, notice, build = builder[document.doc_type](document, progress)
    except GenerationError as exc:
        raise runner.JobFailed(exc.code, exc.message) from exc
    tracker.update("build", 0, 1, "Writing the file", force=True)
    with tempfile.TemporaryDirectory(prefix="smartnotes-doc-") as tmp:
        path = build(Path(tmp) / "out")
        with runner.current_run(GENERATE, document.pk, document.task_id):
            document.content = content
            document.made_offline = made_offline
            document.metadata = {**document.metadata, "notice": notice} if notice else document.metadata
            with open(path, "rb") as fh:
                document.file.save(file_name(document), File(fh), save=False)
            document.file_name = file_name(document)
            document.file_size = document.file.size
            runner.mark_completed(GENERATE, document)
    log.info("document %s (%s) completed offline=%s", document.pk, document.doc_type, made_offline)


def _require_text(material) -> None:
    if not any(p.text.strip() for p in material.passages):
        raise GenerationError("This lecture has no readable text to make a document from.", code="no_text")


def _cheat_sheet(document, progress):
    material = materials.lecture_material(document.lecture)
    _require_text(material)
    made = make.cheat_sheet(material, target_pages=document.options.get("length", 1), progress=progress)
    sheet = made.value
    sheet.subtitle = sheet.subtitle or document.lecture.subject.name
    sheet.made_offline = made.offline
    include_figures = document.options.get("include_figures", True)
    return (
        serialize.to_json(sheet),
        made.offline,
        made.notice,
        lambda path: build_cheat_sheet_docx(sheet, path, include_figures=include_figures),
    )


def _quiz(document, progress):
    material = materials.lecture_material(document.lecture)
    _require_text(material)
    made = make.quiz(material, n=document.options.get("questions", 10), seed=document.pk, progress=progress)
    quiz = made.value
    if not quiz.questions:
        raise GenerationError("No quiz questions could be made from this lecture's text.", code="no_questions")
    quiz.made_offline = made.offline
    answer_key = document.options.get("answer_key", True)

    def build(path):
        return build_quiz_pdf(quiz, path, answer_key=answer_key)

    return serialize.to_json(quiz), made.offline, made.notice, build


def _past_paper(document, progress):
    exam = document.lecture
    questions = [ExamQuestion(**q) for q in exam.metadata.get("exam_questions", [])]
    if not questions:
        raise GenerationError("This exam has no questions to answer.", code="no_questions")
    answers, all_offline = [], True
    for i, question in enumerate(questions, start=1):
        progress(i - 1, len(questions), f"Answering question {question.label} ({i} of {len(questions)})")
        passages = materials.passages_for_question(document.owner, exam.subject_id, question.text)
        text, citations, covered, offline = make.answer(question.text, passages)
        all_offline = all_offline and offline
        answers.append(ExamAnswer(question=question, answer=text, citations=citations, covered=covered))
    progress(len(questions), len(questions), "All questions answered")
    paper = PastPaperAnswers(title=exam.name, answers=answers, made_offline=all_offline)
    return serialize.to_json(paper), all_offline, "", lambda path: build_past_paper_docx(paper, path)
