"""Study documents: generate, follow, view, download, delete; take a quiz; fix an exam's questions."""

import tempfile
from datetime import datetime
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.documents import selectors, services
from apps.documents.builders import build_past_paper_pdf
from apps.documents.generate import file_name
from apps.documents.models import DocType
from apps.lectures.models import LectureRole
from apps.lectures.selectors import get_lecture_for_user
from smartnotes.generation import serialize
from smartnotes.generation.exam_split import merge_questions, split_question
from smartnotes.generation.types import ExamQuestion

LETTERS = "ABCD"
SPLIT_MARK = "---"


def _panel(request, lecture, *, status=200):
    context = {"lecture": lecture, "documents": selectors.documents_for_lecture(request.user, lecture)}
    template = "documents/_exam_answers.html" if lecture.role == LectureRole.EXAM else "documents/_panel.html"
    return render(request, template, context, status=status)


@login_required
@vary_on_headers("HX-Request")
def lecture_documents(request, lecture_pk):
    """The documents panel of a lecture (its own URL, so htmx can refresh it)."""
    return _panel(request, get_lecture_for_user(request.user, lecture_pk))


@login_required
@require_POST
def generate(request, lecture_pk):
    lecture = get_lecture_for_user(request.user, lecture_pk)
    doc_type = request.POST.get("doc_type", "")
    # A browser sends nothing for an unticked checkbox, so the form's flags are off unless they are sent.
    options = {"include_figures": "", "answer_key": "", **request.POST.dict()}
    status, retry_after = 200, None
    try:
        document = services.request_document(actor=request.user, lecture=lecture, doc_type=doc_type, options=options)
    except services.GenerationRateLimited as exc:
        messages.error(request, exc.message)
        status, retry_after = 429, exc.retry_after
    except services.GenerationRefused as exc:
        messages.error(request, exc.message)
        status = 400
    else:
        messages.info(request, f"{document.get_doc_type_display()} v{document.version}: generation has started.")
    if request.htmx:
        response = _panel(request, lecture, status=status)
        if retry_after:
            response["Retry-After"] = str(retry_after)
        return response
    if lecture.role == LectureRole.EXAM:
        return redirect("documents:exam", pk=lecture.pk)
    return redirect(reverse("lectures:detail", args=[lecture.pk]) + "#documents")


@login_required
def document_status(request, pk):
    document = selectors.get_document_for_user(request.user, pk)
    return render(request, "documents/_status.html", {"document": document, "oob": False})


@login_required
def document_detail(request, pk):
    document = selectors.get_document_for_user(request.user, pk)
    context = {"document": document, "lecture": document.lecture}
    if document.status == "completed":
        if document.doc_type == DocType.CHEAT_SHEET:
            context["sheet"] = document.content
        elif document.doc_type == DocType.QUIZ:
            context["attempts"] = selectors.attempts_for_quiz(request.user, document)[:10]
        elif document.doc_type == DocType.PAST_PAPER:
            context["paper"] = document.content
    return render(request, "documents/detail.html", context)


@login_required
def document_download(request, pk):
    document = selectors.get_document_for_user(request.user, pk)
    return file_response(document, request.GET.get("format") or document.format)


def file_response(document, fmt: str):
    """The document's file as a download in ``fmt`` (its own, or a past paper's PDF built on demand); 404 when it
    is not ready or not available in that format. Shared by the page, the API and share links."""
    if document.status != "completed" or not document.file:
        raise Http404("not ready")
    if fmt == document.format:
        response = FileResponse(document.file.open("rb"), as_attachment=True, filename=document.file_name)
    elif document.doc_type == DocType.PAST_PAPER and fmt == "pdf":
        response = _built_on_demand(document, fmt)
    else:
        raise Http404("format not available")
    response["Cache-Control"] = "private, no-store"
    return response


def _built_on_demand(document, fmt):
    paper = serialize.past_paper_from_json(document.content)
    with tempfile.TemporaryDirectory(prefix="smartnotes-dl-") as tmp:
        path = build_past_paper_pdf(paper, Path(tmp) / "out.pdf")
        data = path.read_bytes()
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{file_name(document, fmt)}"'
    return response


@login_required
@require_POST
def document_retry(request, pk):
    document = services.retry_document(actor=request.user, document=selectors.get_document_for_user(request.user, pk))
    if request.htmx:
        return render(request, "documents/_status.html", {"document": document, "oob": False})
    return redirect("documents:detail", pk=document.pk)


@login_required
@require_http_methods(["GET", "POST"])
def document_delete(request, pk):
    document = selectors.get_document_for_user(request.user, pk)
    if request.method == "POST":
        lecture = document.lecture
        label = f"{document.get_doc_type_display()} v{document.version}"
        services.delete_document(actor=request.user, document=document)
        if request.htmx:
            return HttpResponse("")
        messages.success(request, f"{label} was deleted.")
        if lecture.role == LectureRole.EXAM:
            return redirect("documents:exam", lecture.pk)
        return redirect("lectures:detail", pk=lecture.pk)
    return render(request, "documents/delete.html", {"document": document})


# --- quizzes in the browser ----------------------------------------------------------------------------


@login_required
def quiz_take(request, pk):
    document = selectors.get_quiz_for_user(request.user, pk)
    questions = document.content.get("questions", [])
    if request.method == "POST":
        answers = [_pick(request.POST.get(f"q{i}")) for i in range(len(questions))]
        started_at = _parse_time(request.POST.get("started_at"))
        attempt = services.record_quiz_attempt(
            actor=request.user, document=document, answers=answers, started_at=started_at
        )
        return redirect("documents:attempt", pk=document.pk, attempt_pk=attempt.pk)
    numbered = [
        {
            "number": i + 1,
            "index": i,
            "question": q["question"],
            "options": list(zip(LETTERS, q["options"], strict=False)),
        }
        for i, q in enumerate(questions)
    ]
    mode = "all" if request.GET.get("mode") == "all" else "one"
    context = {"document": document, "questions": numbered, "mode": mode, "started_at": timezone.now().isoformat()}
    return render(request, "documents/quiz_take.html", context)


def _pick(value):
    if value and value.upper() in LETTERS and len(value) == 1:
        return LETTERS.index(value.upper())
    return None


def _parse_time(value):
    try:
        parsed = datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return parsed if timezone.is_aware(parsed) else None


@login_required
def quiz_attempt(request, pk, attempt_pk):
    attempt = selectors.get_attempt_for_user(request.user, pk, attempt_pk)
    document = attempt.document
    review = []
    for i, q in enumerate(document.content.get("questions", [])):
        pick = attempt.answers[i] if i < len(attempt.answers) else None
        review.append(
            {
                "number": i + 1,
                "question": q["question"],
                "options": [
                    {"letter": LETTERS[j], "text": text, "correct": j == q["correct"], "picked": j == pick}
                    for j, text in enumerate(q["options"])
                ],
                "right": pick == q["correct"],
                "skipped": pick is None,
                "explanation": q.get("explanation", ""),
                "page": q.get("page"),
            }
        )
    context = {
        "attempt": attempt,
        "document": document,
        "lecture": document.lecture,
        "review": review,
        "missed": attempt.total - attempt.correct,
    }
    return render(request, "documents/quiz_review.html", context)


# --- past papers -----------------------------------------------------------------------------------------


def _exam_for_user(user, pk):
    exam = get_lecture_for_user(user, pk)
    if exam.role != LectureRole.EXAM:
        raise Http404("not an exam")
    return exam


@login_required
@require_http_methods(["GET", "POST"])
def exam_detail(request, pk):
    """An uploaded exam: its status, the question split to review and fix, and its answer versions."""
    exam = _exam_for_user(request.user, pk)
    if request.method == "POST":
        questions = _questions_from_post(request.POST)
        action, _, index = request.POST.get("action", "save").partition(":")
        if action == "merge" and index.isdigit() and int(index) < len(questions) - 1:
            questions = _as_dicts(merge_questions(_as_questions(questions), int(index)))
        elif action == "delete" and index.isdigit() and int(index) < len(questions):
            questions.pop(int(index))
        elif action == "add":
            questions.append({"label": str(len(questions) + 1), "text": "New question", "points": None})
        questions = _split_marked(questions)
        exam = services.save_exam_questions(actor=request.user, exam=exam, questions=questions)
        if action == "answer":
            try:
                services.request_document(actor=request.user, lecture=exam, doc_type=DocType.PAST_PAPER)
            except services.GenerationRefused as exc:
                messages.error(request, exc.message)
            else:
                messages.info(request, "Answering the questions from your lectures has started.")
        else:
            messages.success(request, "Questions saved.")
        return redirect("documents:exam", pk=exam.pk)
    context = {
        "lecture": exam,
        "exam": exam,
        "questions": exam.metadata.get("exam_questions", []),
        "documents": selectors.documents_for_lecture(request.user, exam),
        "split_mark": SPLIT_MARK,
    }
    return render(request, "documents/exam.html", context)


def _questions_from_post(post) -> list[dict]:
    labels, texts, points = post.getlist("label"), post.getlist("text"), post.getlist("points")
    return [
        {"label": label, "text": text, "points": point}
        for label, text, point in zip(labels, texts, points + [""] * len(labels), strict=False)
    ]


def _as_questions(items: list[dict]) -> list[ExamQuestion]:
    result = []
    for item in items:
        try:
            points = int(item.get("points")) if item.get("points") not in (None, "") else None
        except (TypeError, ValueError):
            points = None
        result.append(ExamQuestion(label=str(item.get("label", "")), text=str(item.get("text", "")), points=points))
    return result


def _as_dicts(questions: list[ExamQuestion]) -> list[dict]:
    return [{"label": q.label, "text": q.text, "points": q.points} for q in questions]


def _split_marked(items: list[dict]) -> list[dict]:
    """A line holding only "---" inside a question splits it there (the keyboard-friendly way to split)."""
    questions = _as_questions(items)
    i = 0
    while i < len(questions):
        lines = questions[i].text.splitlines()
        marks = [n for n, line in enumerate(lines) if line.strip() == SPLIT_MARK]
        if marks:
            at = sum(len(line) + 1 for line in lines[: marks[0]])
            text = "\n".join(lines[: marks[0]] + lines[marks[0] + 1 :])
            questions[i] = ExamQuestion(questions[i].label, text, questions[i].points)
            try:
                questions = split_question(questions, i, at)
            except ValueError:  # nothing on one side of the mark: it is just dropped
                pass
        i += 1
    return _as_dicts(questions)


@login_required
@require_POST
def exam_upload(request, subject_pk):
    """Upload a past exam: read like a lecture, split into questions, never indexed for retrieval."""
    from apps.lectures.services import UploadRejected, upload_lecture
    from apps.subjects.selectors import get_subject_for_user

    subject = get_subject_for_user(request.user, subject_pk)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        messages.error(request, "Choose the exam file to upload.")
        return redirect(reverse("subjects:detail", args=[subject.pk]) + "#exams")
    try:
        exam = upload_lecture(
            actor=request.user,
            subject=subject,
            uploaded_file=uploaded,
            role=LectureRole.EXAM,
            name=request.POST.get("name", ""),
        )
    except UploadRejected as exc:
        messages.error(request, exc.message)
        return redirect(reverse("subjects:detail", args=[subject.pk]) + "#exams")
    messages.success(request, f"“{exam.name}” uploaded; reading the questions.")
    return redirect("documents:exam", pk=exam.pk)
