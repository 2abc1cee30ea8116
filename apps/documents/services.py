"""Writes to generated documents: request a generation (rate-limited, one job per document at a time), retry,
delete, record a quiz attempt, save an exam's question split. The only place that queues generation."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.accounts.models import Profile
from apps.documents.jobs import GENERATE
from apps.documents.models import DocFormat, DocType, GeneratedDocument, QuizAttempt
from apps.jobs import runner
from apps.jobs.models import JobStatus
from apps.lectures.models import Lecture, LectureRole, LectureStatus
from apps.study import services as study

log = logging.getLogger(__name__)

QUIZ_MIN, QUIZ_MAX, QUIZ_DEFAULT = 5, 50, 10
FORMATS = {
    DocType.CHEAT_SHEET: DocFormat.DOCX,
    DocType.QUIZ: DocFormat.PDF,
    DocType.PAST_PAPER: DocFormat.DOCX,
}


class GenerationRefused(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class GenerationRateLimited(GenerationRefused):
    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def _check_owner(actor, obj) -> None:
    if obj.owner_id != actor.pk:
        raise PermissionError("not yours")


def clean_options(doc_type: str, raw: dict) -> dict:
    """Options a student may set, with defaults; anything else is ignored."""

    def flag(name, default):
        value = raw.get(name, default)
        return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "on", "yes")

    if doc_type == DocType.CHEAT_SHEET:
        pages = str(raw.get("length", "1"))
        return {"length": 2 if pages == "2" else 1, "include_figures": flag("include_figures", True)}
    if doc_type == DocType.QUIZ:
        try:
            n = int(raw.get("questions", QUIZ_DEFAULT))
        except (TypeError, ValueError):
            raise GenerationRefused(f"Choose between {QUIZ_MIN} and {QUIZ_MAX} questions.") from None
        if not QUIZ_MIN <= n <= QUIZ_MAX:
            raise GenerationRefused(f"Choose between {QUIZ_MIN} and {QUIZ_MAX} questions.")
        return {"questions": n, "answer_key": flag("answer_key", True)}
    return {}


def _check_material(lecture: Lecture, doc_type: str) -> None:
    if lecture.status != LectureStatus.COMPLETED:
        raise GenerationRefused(f"“{lecture.name}” is not ready yet: wait until it has been read, then try again.")
    is_exam = lecture.role == LectureRole.EXAM
    if doc_type == DocType.PAST_PAPER and not is_exam:
        raise GenerationRefused("Past-paper answers are made from an uploaded exam.")
    if doc_type != DocType.PAST_PAPER and is_exam:
        raise GenerationRefused("Cheat sheets and quizzes are made from lectures, not from exams.")
    if doc_type == DocType.PAST_PAPER and not lecture.metadata.get("exam_questions"):
        raise GenerationRefused("No questions were found in this exam. Add them on the exam page first.")


def _rate_limit(actor) -> None:
    since = timezone.now() - timedelta(hours=1)
    recent = GeneratedDocument.objects.filter(owner=actor, created_at__gte=since)
    limit = settings.GENERATION_RATE_PER_HOUR
    if recent.count() >= limit:
        oldest = recent.order_by("created_at").values_list("created_at", flat=True).first()
        wait_s = max(60, int((oldest + timedelta(hours=1) - timezone.now()).total_seconds()))
        minutes = (wait_s + 59) // 60
        raise GenerationRateLimited(
            f"You can generate {limit} documents per hour. Try again in {minutes} min.", retry_after=wait_s
        )


def request_document(*, actor, lecture: Lecture, doc_type: str, options: dict | None = None) -> GeneratedDocument:
    """Queue a new version of a document. A click while the same kind of document for this lecture is still
    being generated returns that job instead of starting a second one."""
    _check_owner(actor, lecture)
    if doc_type not in FORMATS:
        raise GenerationRefused("This kind of document cannot be generated here.")
    options = clean_options(doc_type, options or {})
    _check_material(lecture, doc_type)
    with transaction.atomic():
        # One request at a time per user, so the hourly limit and the one-job rule hold under parallel clicks.
        Profile.objects.select_for_update().get_or_create(user=actor)
        busy = GeneratedDocument.objects.filter(
            lecture=lecture, doc_type=doc_type, status__in=(JobStatus.PENDING, JobStatus.PROCESSING)
        ).first()
        if busy is not None:
            return busy
        _rate_limit(actor)
        latest = GeneratedDocument.objects.filter(lecture=lecture, doc_type=doc_type).aggregate(v=Max("version"))["v"]
        document = GeneratedDocument.objects.create(
            owner=actor,
            subject_id=lecture.subject_id,
            lecture=lecture,
            doc_type=doc_type,
            format=FORMATS[doc_type],
            version=(latest or 0) + 1,
            options=options,
            progress_step="Waiting for a worker",
        )
        runner.enqueue_after_commit(GENERATE, document.pk)
        runner.push_after_commit(GENERATE, document)
    return document


def retry_document(*, actor, document: GeneratedDocument) -> GeneratedDocument:
    """Queue a failed document again (its Retry button). A finished version is kept as it is (its quiz attempts
    refer to its questions; Generate makes a new version) and a busy one already has its run."""
    _check_owner(actor, document)
    if document.status != JobStatus.FAILED:
        return document
    return runner.requeue(GENERATE, document.pk)


def delete_document(*, actor, document: GeneratedDocument) -> None:
    _check_owner(actor, document)
    document.delete()  # the post_delete signal removes its file after commit


def recover_stale_documents() -> dict:
    return runner.recover_stale(GENERATE)


def record_quiz_attempt(*, actor, document: GeneratedDocument, answers: list, started_at=None) -> QuizAttempt:
    """Score a quiz taken in the browser and record it (with a study session holding the score).

    ``answers`` holds, per question, the picked option index (0-3) or None for a skipped question.
    """
    _check_owner(actor, document)
    questions = document.content.get("questions", [])
    if not questions:
        raise GenerationRefused("This quiz has no questions.")
    picks = [(a if isinstance(a, int) and 0 <= a < 4 else None) for a in (list(answers) + [None] * len(questions))]
    picks = picks[: len(questions)]
    correct = sum(1 for pick, q in zip(picks, questions, strict=True) if pick == q["correct"])
    now = timezone.now()
    started = started_at if started_at and started_at <= now else now
    score = round(100.0 * correct / len(questions), 1)
    with transaction.atomic():
        session = study.record_quiz(
            user=actor,
            subject_id=document.subject_id,
            lecture_id=document.lecture_id,
            started_at=started,
            ended_at=now,
            score=score,
            answered=sum(1 for p in picks if p is not None),
            questions=[
                {"page": q.get("page"), "right": pick == q["correct"]} for pick, q in zip(picks, questions, strict=True)
            ],
            metadata={"document": document.pk, "correct": correct, "total": len(questions)},
        )
        return QuizAttempt.objects.create(
            owner=actor,
            document=document,
            answers=picks,
            correct=correct,
            total=len(questions),
            score=score,
            started_at=started,
            study_session=session,
        )


def save_exam_questions(*, actor, exam: Lecture, questions: list[dict]) -> Lecture:
    """Store the student's corrected split of an exam into questions (label, text, points)."""
    _check_owner(actor, exam)
    if exam.role != LectureRole.EXAM:
        raise GenerationRefused("Only an exam has questions to fix.")
    cleaned = []
    for q in questions:
        text = str(q.get("text", "")).strip()
        if not text:
            continue
        points = q.get("points")
        try:
            points = int(points) if points not in (None, "") else None
        except (TypeError, ValueError):
            points = None
        cleaned.append({"label": str(q.get("label") or len(cleaned) + 1).strip()[:20], "text": text, "points": points})
    with transaction.atomic():
        locked = Lecture.objects.select_for_update().get(pk=exam.pk)
        locked.metadata = {**locked.metadata, "exam_questions": cleaned}
        locked.save(update_fields=["metadata"])
    return locked
