"""Rows for every model the admin lists: one student's worth per call, files on disk included."""

import uuid
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from django_q.models import OrmQ, Task
from django_q.signing import SignedPackage

from apps.accounts.models import Profile
from apps.chat.models import Conversation, Message
from apps.documents.models import GeneratedDocument, QuizAttempt
from apps.flashcards.models import AnkiDeck, CardGeneration, Flashcard, ReviewLog
from apps.lectures.models import Chunk, Figure, Lecture, LecturePage
from apps.sharing.models import ShareEvent, ShareLink
from apps.study.models import StudySession
from tests.factories import QUIZ_CONTENT, SubjectFactory, UserFactory, tiny_pdf


def _task(success: bool) -> None:
    now = timezone.now()
    Task.objects.create(
        id=uuid.uuid4().hex,
        name=f"task-{uuid.uuid4().hex[:10]}",
        func="apps.lectures.tasks.process_lecture",
        args=(1,),
        kwargs={},
        started=now - timedelta(seconds=2),
        stopped=now,
        success=success,
        result="done" if success else "boom : Traceback (most recent call last):\nValueError: boom",
        group="ingest",
    )


def add_student() -> dict:
    user = UserFactory()
    Profile.objects.get_or_create(user=user)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    UserSession.objects.create(user=user, session_key=uuid.uuid4().hex, ip="127.0.0.1", user_agent="test")
    group, _ = Group.objects.get_or_create(name=f"group-{user.pk}")
    user.groups.add(group)
    subject = SubjectFactory(user=user)
    lecture = Lecture.objects.create(
        owner=user,
        subject=subject,
        name=f"Lecture of {user.username}",
        original_filename="notes.pdf",
        file_type="pdf",
        status="failed",
        error_code="ocr_timeout",
        error_message="Page 2 took too long to read.",
        page_count=2,
        metadata={"unreadable_pages": [{"page": 2, "code": "timeout", "reason": "too slow"}]},
    )
    lecture.file.save("notes.pdf", ContentFile(tiny_pdf()), save=False)
    lecture.file_size = lecture.file.size
    lecture.save()
    page = LecturePage(lecture=lecture, number=1, text="Text of page one", method="text")
    page.thumbnail.save("page_001.png", ContentFile(b"\x89PNG fake"), save=False)
    page.save()
    LecturePage.objects.create(lecture=lecture, number=2, text="", method="ocr")
    figure = Figure(lecture=lecture, page=1, index=1, width=10, height=10)
    figure.image.save("slide_01_fig_01.png", ContentFile(b"\x89PNG fake"), save=False)
    figure.save()
    Chunk.objects.create(owner=user, subject=subject, lecture=lecture, page=1, chunk_index=0, text="Text")
    document = GeneratedDocument(
        owner=user, subject=subject, lecture=lecture, doc_type="quiz", format="pdf", status="completed"
    )
    document.content = QUIZ_CONTENT
    document.file.save("quiz.pdf", ContentFile(tiny_pdf()), save=False)
    document.file_size = document.file.size
    document.save()
    session = StudySession.objects.create(
        user=user, subject=subject, lecture=lecture, session_type="quiz", started_at=timezone.now()
    )
    QuizAttempt.objects.create(
        owner=user, document=document, answers=[0], correct=1, total=4, score=25, started_at=timezone.now()
    )
    card = Flashcard.objects.create(owner=user, subject=subject, lecture=lecture, question="Q?", answer="A")
    ReviewLog.objects.create(card=card, owner=user, algorithm="fsrs", rating=3, session=session)
    AnkiDeck.objects.create(owner=user, subject=subject, lecture=lecture, deck_id=user.pk * 1000)
    CardGeneration.objects.create(owner=user, lecture=lecture, status="failed", error_code="no_text")
    conversation = Conversation.objects.create(owner=user, subject=subject, lecture=lecture, title="Chat")
    Message.objects.create(conversation=conversation, role="user", content="What is a variable?")
    link = ShareLink.objects.create(owner=user, lecture=lecture, code_sha256=uuid.uuid4().hex * 2, max_views=5)
    ShareLink.objects.create(owner=user, document=document, code_sha256=uuid.uuid4().hex * 2)
    ShareEvent.objects.create(link=link, kind="password", client="c" * 64)
    _task(success=True)
    _task(success=False)
    OrmQ.objects.create(
        key=settings.Q_CLUSTER["name"],
        payload=SignedPackage.dumps(
            {"id": uuid.uuid4().hex, "name": "queued", "func": "x.y", "args": (), "kwargs": {}}
        ),
        lock=timezone.now(),
    )
    return {"user": user, "lecture": lecture}
