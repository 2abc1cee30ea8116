"""/api/v1/chat: conversations (CRUD) and questions — answered in one response, or streamed as Server-Sent
Events for clients that do not speak websockets. The same services as the chat page (apps/chat/services)."""

import json
from datetime import datetime

from asgiref.sync import sync_to_async
from django.http import StreamingHttpResponse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from apps.chat import selectors, services
from apps.chat.models import Conversation
from apps.core.api_errors import RateLimited
from apps.lectures.selectors import get_lecture_for_user
from apps.subjects.selectors import subjects_for_user

router = Router(tags=["chat"])
QUESTION_MAX = services.MAX_QUESTION_CHARS
TITLE_MAX = Conversation._meta.get_field("title").max_length


class ConversationOut(Schema):
    id: int
    subject_id: int
    lecture_id: int | None
    title: str
    created_at: datetime
    updated_at: datetime


class ConversationIn(Schema):
    lecture_id: int | None = Field(None, description="chat with one lecture …")
    subject_id: int | None = Field(None, description="… or with a whole subject")
    title: str = Field("", max_length=TITLE_MAX)


class RenameIn(Schema):
    title: str = Field(..., min_length=1, max_length=TITLE_MAX)


class MessageOut(Schema):
    id: int
    role: str
    content: str
    citations: list[dict]
    kind: str
    offline: bool
    from_cache: bool
    notice: str
    created_at: datetime


class ConversationDetailOut(ConversationOut):
    messages: list[MessageOut]


class QuestionIn(Schema):
    question: str = Field(..., min_length=1, max_length=QUESTION_MAX)
    use_web: bool = False


class ConversationFilter(Schema):
    lecture_id: int | None = None
    subject_id: int | None = None


def _refused(exc: services.ChatError):
    if isinstance(exc, services.RateLimited):
        return RateLimited(exc.message, exc.retry_after)
    return HttpError(409 if isinstance(exc, services.Busy) else 422, exc.message)


def _subject(request, subject_id):
    subject = subjects_for_user(request.user).filter(pk=subject_id).first()
    if subject is None:
        raise HttpError(404, "Not found.")
    return subject


@router.get("/conversations", response=list[ConversationOut])
@paginate(PageNumberPagination, page_size=50)
def list_conversations(request, filters: Query[ConversationFilter]):
    if filters.lecture_id is not None:
        qs = selectors.conversations_for_lecture(request.user, get_lecture_for_user(request.user, filters.lecture_id))
    elif filters.subject_id is not None:
        qs = selectors.conversations_for_subject(request.user, _subject(request, filters.subject_id))
    else:
        qs = selectors.conversations_for_user(request.user)
    return qs.order_by("-updated_at", "-id")


@router.post("/conversations", response={201: ConversationOut})
def start(request, payload: ConversationIn):
    if (payload.lecture_id is None) == (payload.subject_id is None):
        raise HttpError(422, "Give either lecture_id or subject_id.")
    if payload.lecture_id is not None:
        lecture = get_lecture_for_user(request.user, payload.lecture_id)
        conversation = services.start_conversation(actor=request.user, lecture=lecture, title=payload.title)
    else:
        subject = _subject(request, payload.subject_id)
        conversation = services.start_conversation(actor=request.user, subject=subject, title=payload.title)
    return 201, conversation


@router.get("/conversations/{conversation_id}", response=ConversationDetailOut)
def get_conversation(request, conversation_id: int):
    conversation = selectors.get_conversation_for_user(request.user, conversation_id)
    return {**ConversationOut.from_orm(conversation).dict(), "messages": list(selectors.messages_for(conversation))}


@router.patch("/conversations/{conversation_id}", response=ConversationOut)
def rename(request, conversation_id: int, payload: RenameIn):
    conversation = selectors.get_conversation_for_user(request.user, conversation_id)
    try:
        return services.rename_conversation(actor=request.user, conversation=conversation, title=payload.title)
    except services.ChatError as exc:
        raise _refused(exc) from None


@router.delete("/conversations/{conversation_id}", response={204: None})
def delete(request, conversation_id: int):
    conversation = selectors.get_conversation_for_user(request.user, conversation_id)
    services.delete_conversation(actor=request.user, conversation=conversation)
    return 204, None


@router.post("/conversations/{conversation_id}/messages", response={201: MessageOut})
def ask(request, conversation_id: int, payload: QuestionIn):
    """Ask and wait for the whole answer (with its citations)."""
    conversation = selectors.get_conversation_for_user(request.user, conversation_id)
    try:
        message = services.ask(request.user, conversation, payload.question, use_web=payload.use_web)
    except services.ChatError as exc:
        raise _refused(exc) from None
    return 201, message


def _sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, default=str)}\n\n"


@router.post("/conversations/{conversation_id}/stream")
def ask_streamed(request, conversation_id: int, payload: QuestionIn):
    """Ask and receive the answer as Server-Sent Events: ``token`` events ({"text"}), then one ``done`` event
    with the saved message, or one ``error`` event ({"detail", "code"}) when the question is refused."""
    conversation = selectors.get_conversation_for_user(request.user, conversation_id)
    user, question = request.user, payload.question

    async def events():
        async for event in services.aanswer(user, conversation.pk, question, use_web=payload.use_web):
            if event.type == "token":
                yield _sse("token", {"text": event.text})
            elif event.type == "error":
                body = {"detail": event.error.message, "code": event.error.code}
                if isinstance(event.error, services.RateLimited):
                    body["retry_after"] = event.error.retry_after
                yield _sse("error", body)
            elif event.type == "done":
                message = await sync_to_async(lambda m: MessageOut.from_orm(m).dict())(event.message)
                yield _sse("done", message)

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass events through as they come
    return response
