"""Reads of conversations, always scoped to the asking user (404 otherwise)."""

from django.db.models import Count, OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404

from apps.chat.models import Conversation, Message, Role


def conversations_for_user(user):
    last_question = (
        Message.objects.filter(conversation=OuterRef("pk"), role=Role.USER)
        .order_by("-created_at", "-pk")
        .values("content")[:1]
    )
    return (
        Conversation.objects.filter(owner=user)
        .select_related("subject", "lecture")
        .annotate(
            question_count=Count("messages", filter=Q(messages__role=Role.USER)),
            last_question=Subquery(last_question),
        )
    )


def conversations_for_lecture(user, lecture):
    return conversations_for_user(user).filter(lecture=lecture)


def conversations_for_subject(user, subject, *, include_lectures: bool = False):
    qs = conversations_for_user(user).filter(subject=subject)
    return qs if include_lectures else qs.filter(lecture__isnull=True)


def get_conversation_for_user(user, pk) -> Conversation:
    return get_object_or_404(Conversation.objects.filter(owner=user).select_related("subject", "lecture"), pk=pk)


def messages_for(conversation):
    return conversation.messages.all()
