import factory
from django.contrib.auth import get_user_model

from apps.lectures.models import Lecture
from apps.subjects.models import Subject

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"student{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Subject {n}")
    color = "#4f46e5"
    icon = "book"


class LectureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lecture

    owner = factory.SubFactory(UserFactory)
    subject = factory.LazyAttribute(lambda o: SubjectFactory(user=o.owner))
    name = factory.Sequence(lambda n: f"Lecture {n}")
    original_filename = "notes.pdf"
    file_type = "pdf"


# --- documents -----------------------------------------------------------------------------------------
# Completed documents are built from small hand-written ``content`` (what generation stores) plus a small real
# file, so the views (on-screen view, quiz in the browser, downloads) work without running a generation.

QUIZ_CONTENT = {
    "title": "Python basics",
    "made_offline": True,
    "generated_on": "2025-01-06",
    "questions": [
        {
            "question": "Which keyword starts a function definition?",
            "options": ["def", "func", "lambda", "define"],
            "correct": 0,
            "explanation": "EXPLAIN-1: a function definition starts with def.",
            "page": 3,
        },
        {
            "question": "What does len('abc') return?",
            "options": ["2", "3", "'abc'", "None"],
            "correct": 1,
            "explanation": "EXPLAIN-2: len counts the three characters.",
            "page": 5,
        },
        {
            "question": "Which type does 7 / 2 give?",
            "options": ["int", "str", "float", "bool"],
            "correct": 2,
            "explanation": "EXPLAIN-3: true division always gives a float.",
            "page": 7,
        },
        {
            "question": "Which operator gives the remainder?",
            "options": ["//", "**", "&", "%"],
            "correct": 3,
            "explanation": "EXPLAIN-4: the modulo operator % gives the remainder.",
            "page": 8,
        },
    ],
}

CHEAT_SHEET_CONTENT = {
    "title": "Python basics",
    "subtitle": "Algorithms",
    "made_offline": True,
    "generated_on": "2025-01-06",
    "sections": [
        {"heading": "Variables", "points": [{"text": "A variable names a value.", "pages": [2]}], "figures": []},
        {"heading": "Operators", "points": [{"text": "% gives the remainder.", "pages": [8, 9]}], "figures": []},
    ],
}

PAST_PAPER_CONTENT = {
    "title": "Midterm 2021",
    "made_offline": True,
    "generated_on": "2025-01-06",
    "answers": [
        {
            "question": {"label": "1", "text": "Explain what a variable is.", "points": 4},
            "answer": "A variable is a name bound to a value.",
            "citations": [{"lecture_name": "Week 1", "page": 2, "lecture_id": None}],
            "covered": True,
        },
        {
            "question": {"label": "2", "text": "Describe the halting problem.", "points": 6},
            "answer": "",
            "citations": [],
            "covered": False,
        },
    ],
}


def completed_lecture_with_files(user, subject):
    """A completed one-page lecture "Week 1" with its original, a page image and one figure (``figure_pk``)."""
    from django.core.files.base import ContentFile

    from apps.lectures.models import Figure, LecturePage, LectureStatus

    lecture = Lecture.objects.create(
        owner=user,
        subject=subject,
        name="Week 1",
        original_filename="week1.pdf",
        file_type="pdf",
        status=LectureStatus.COMPLETED,
        page_count=1,
    )
    lecture.file.save("week1.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    page = LecturePage(lecture=lecture, number=1, text="Variables hold values", method="text")
    page.thumbnail.save("page_001.png", ContentFile(b"\x89PNG fake"), save=False)
    page.save()
    figure = Figure(lecture=lecture, page=1, index=1, width=10, height=10)
    figure.image.save("slide_01_fig_01.png", ContentFile(b"\x89PNG fig"), save=False)
    figure.save()
    lecture.figure_pk = figure.pk
    return lecture


def tiny_pdf(text: str = "MySmartNotes test document") -> bytes:
    """A small, valid one-page PDF (pdftotext reads ``text`` back)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def tiny_docx(text: str = "MySmartNotes test document") -> bytes:
    import io

    from docx import Document

    document = Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _content_for(doc_type: str) -> dict:
    import copy

    return copy.deepcopy(
        {"quiz": QUIZ_CONTENT, "cheat_sheet": CHEAT_SHEET_CONTENT, "past_paper": PAST_PAPER_CONTENT}.get(doc_type, {})
    )


def _next_version(o) -> int:
    from django.db.models import Max

    from apps.documents.models import GeneratedDocument

    latest = GeneratedDocument.objects.filter(lecture=o.lecture, doc_type=o.doc_type).aggregate(v=Max("version"))
    return (latest["v"] or 0) + 1


class ExamFactory(LectureFactory):
    """An uploaded past exam, read and split into questions."""

    name = factory.Sequence(lambda n: f"Exam {n}")
    original_filename = "exam.pdf"
    role = "exam"
    status = "completed"
    page_count = 2
    metadata = factory.LazyFunction(
        lambda: {
            "exam_questions": [
                {"label": "1", "text": "Explain what a variable is.", "points": 4},
                {"label": "2", "text": "Describe the halting problem.", "points": 6},
            ]
        }
    )


class GeneratedDocumentFactory(factory.django.DjangoModelFactory):
    """A completed quiz by default (``doc_type="cheat_sheet"`` / ``"past_paper"`` for the others), with content
    and a real file. ``status="pending"`` / ``"processing"`` / ``"failed"`` gives no content and no file.
    The owner is the lecture's: pass ``lecture=`` or ``lecture__owner=``."""

    class Meta:
        model = "documents.GeneratedDocument"
        skip_postgeneration_save = True

    lecture = factory.SubFactory(LectureFactory, status="completed")
    owner = factory.LazyAttribute(lambda o: o.lecture.owner)
    subject = factory.LazyAttribute(lambda o: o.lecture.subject)
    doc_type = "quiz"
    format = factory.LazyAttribute(lambda o: {"quiz": "pdf"}.get(o.doc_type, "docx"))
    version = factory.LazyAttribute(_next_version)
    status = "completed"
    options = factory.LazyAttribute(lambda o: {"questions": 4, "answer_key": True} if o.doc_type == "quiz" else {})
    content = factory.LazyAttribute(lambda o: _content_for(o.doc_type) if o.status == "completed" else {})
    progress_percent = factory.LazyAttribute(lambda o: 100 if o.status == "completed" else 0)
    progress_step = factory.LazyAttribute(lambda o: "Ready" if o.status == "completed" else "Waiting for a worker")
    error_code = factory.LazyAttribute(lambda o: "internal" if o.status == "failed" else "")
    error_message = factory.LazyAttribute(
        lambda o: "Something went wrong while generating this document." if o.status == "failed" else ""
    )

    @factory.post_generation
    def with_file(obj, create, extracted, **kwargs):
        """A real file for a completed document; ``with_file=False`` leaves the FileField empty."""
        from django.core.files.base import ContentFile

        from apps.documents.generate import file_name

        if not create or obj.status != "completed" or extracted is False:
            return
        data = tiny_pdf(obj.lecture.name) if obj.format == "pdf" else tiny_docx(obj.lecture.name)
        obj.file_name = file_name(obj)
        obj.file.save(obj.file_name, ContentFile(data), save=False)
        obj.file_size = len(data)
        obj.save()


def _score(o) -> dict:
    questions = o.document.content.get("questions", [])
    picks = list(o.answers) + [None] * (len(questions) - len(o.answers))
    correct = sum(1 for pick, q in zip(picks, questions, strict=False) if pick == q["correct"])
    return {"correct": correct, "total": len(questions)}


def _now():
    from django.utils import timezone

    return timezone.now()


class QuizAttemptFactory(factory.django.DjangoModelFactory):
    """An attempt on a completed quiz; ``answers`` (option index or None per question) decide the score."""

    class Meta:
        model = "documents.QuizAttempt"

    document = factory.SubFactory(GeneratedDocumentFactory)
    owner = factory.LazyAttribute(lambda o: o.document.owner)
    answers = factory.LazyAttribute(lambda o: [q["correct"] for q in o.document.content.get("questions", [])])
    correct = factory.LazyAttribute(lambda o: _score(o)["correct"])
    total = factory.LazyAttribute(lambda o: _score(o)["total"])
    score = factory.LazyAttribute(lambda o: round(100.0 * o.correct / o.total, 1) if o.total else 0.0)
    started_at = factory.LazyFunction(_now)


# --- flashcards ----------------------------------------------------------------------------------------


def _card_key(o) -> str:
    from apps.flashcards.cards import dedup_key

    return dedup_key(o.question, o.answer)


class FlashcardFactory(factory.django.DjangoModelFactory):
    """A new basic card of a completed lecture (due now). The owner and subject are the lecture's: pass
    ``lecture=`` or ``lecture__owner=``. ``due_at=`` and the state fields make a reviewed card."""

    class Meta:
        model = "flashcards.Flashcard"

    lecture = factory.SubFactory(LectureFactory, status="completed", page_count=10)
    owner = factory.LazyAttribute(lambda o: o.lecture.owner)
    subject = factory.LazyAttribute(lambda o: o.lecture.subject)
    card_type = "basic"
    question = factory.Sequence(lambda n: f"What does operator {n} do?")
    answer = factory.Sequence(lambda n: f"Operator {n} combines two values.")
    source_page = 1
    origin = "generated"
    dedup_key = factory.LazyAttribute(_card_key)


class ReviewLogFactory(factory.django.DjangoModelFactory):
    """One FSRS "Good" review of a card (``algorithm="sm2"`` with ``rating=4`` for SM-2's Good)."""

    class Meta:
        model = "flashcards.ReviewLog"

    card = factory.SubFactory(FlashcardFactory)
    owner = factory.LazyAttribute(lambda o: o.card.owner)
    algorithm = "fsrs"
    rating = 3
    duration_ms = 4000
