"""Reads of generated documents and quiz attempts, always scoped to the asking user (404 otherwise)."""

from django.shortcuts import get_object_or_404

from apps.documents.models import DocType, GeneratedDocument, QuizAttempt


def documents_for_user(user):
    return GeneratedDocument.objects.filter(owner=user).select_related("lecture", "subject")


def documents_for_lecture(user, lecture):
    return documents_for_user(user).filter(lecture=lecture).order_by("-created_at")


def get_document_for_user(user, pk) -> GeneratedDocument:
    return get_object_or_404(documents_for_user(user), pk=pk)


def get_quiz_for_user(user, pk) -> GeneratedDocument:
    return get_object_or_404(documents_for_user(user), pk=pk, doc_type=DocType.QUIZ, status="completed")


def get_attempt_for_user(user, document_pk, pk) -> QuizAttempt:
    return get_object_or_404(
        QuizAttempt.objects.filter(owner=user).select_related("document", "document__lecture"),
        document_id=document_pk,
        pk=pk,
    )


def attempts_for_quiz(user, document):
    return QuizAttempt.objects.filter(owner=user, document=document).order_by("-finished_at")
