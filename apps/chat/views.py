from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.chat import selectors, services
from apps.chat.suggestions import suggested_questions
from apps.lectures.models import LectureStatus
from apps.lectures.selectors import get_lecture_for_user
from apps.subjects.selectors import get_subject_for_user
from smartnotes import ai


def _list_url(conversation) -> str:
    if conversation.lecture_id:
        return reverse("chat:lecture", args=[conversation.lecture_id])
    return reverse("chat:subject", args=[conversation.subject_id])


@login_required
def lecture_conversations(request, lecture_pk):
    lecture = get_lecture_for_user(request.user, lecture_pk)
    context = {
        "scope": "lecture",
        "lecture": lecture,
        "subject": lecture.subject,
        "conversations": selectors.conversations_for_lecture(request.user, lecture),
        "new_url": reverse("chat:new_lecture", args=[lecture.pk]),
        "ready": lecture.status == LectureStatus.COMPLETED and bool(lecture.embedding_model),
    }
    return render(request, "chat/list.html", context)


@login_required
def subject_conversations(request, subject_pk):
    subject = get_subject_for_user(request.user, subject_pk)
    all_conversations = selectors.conversations_for_subject(request.user, subject, include_lectures=True)
    context = {
        "scope": "subject",
        "subject": subject,
        "conversations": [c for c in all_conversations if c.lecture_id is None],
        "lecture_conversations": [c for c in all_conversations if c.lecture_id is not None],
        "new_url": reverse("chat:new_subject", args=[subject.pk]),
        "ready": subject.lectures.filter(status=LectureStatus.COMPLETED).exists(),
    }
    return render(request, "chat/list.html", context)


@login_required
@require_POST
def new_lecture_conversation(request, lecture_pk):
    lecture = get_lecture_for_user(request.user, lecture_pk)
    conversation = services.start_conversation(actor=request.user, lecture=lecture)
    return redirect(conversation)


@login_required
@require_POST
def new_subject_conversation(request, subject_pk):
    subject = get_subject_for_user(request.user, subject_pk)
    conversation = services.start_conversation(actor=request.user, subject=subject)
    return redirect(conversation)


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def conversation_detail(request, pk):
    conversation = selectors.get_conversation_for_user(request.user, pk)
    if request.method == "POST":
        # Without JavaScript the form posts here: answer without streaming, then show the conversation.
        try:
            services.ask(
                request.user, conversation, request.POST.get("message", ""), use_web=bool(request.POST.get("use_web"))
            )
        except services.ChatError as exc:
            messages.warning(request, exc.message)
        return redirect(conversation)
    chat_messages = list(selectors.messages_for(conversation))
    context = {
        "conversation": conversation,
        "chat_messages": chat_messages,
        "suggestions": [] if chat_messages else suggested_questions(conversation),
        "offline": ai.is_offline(),
        "list_url": _list_url(conversation),
    }
    return render(request, "chat/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def conversation_rename(request, pk):
    conversation = selectors.get_conversation_for_user(request.user, pk)
    error = ""
    if request.method == "POST":
        try:
            services.rename_conversation(
                actor=request.user, conversation=conversation, title=request.POST.get("title", "")
            )
        except services.ChatError as exc:
            error = exc.message
        else:
            if request.htmx:
                return render(request, "chat/detail.html#title", {"conversation": conversation})
            messages.success(request, "Conversation renamed.")
            return redirect(conversation)
    if request.htmx:
        if request.GET.get("cancel"):
            return render(request, "chat/detail.html#title", {"conversation": conversation})
        return render(request, "chat/detail.html#title-form", {"conversation": conversation, "error": error})
    return render(request, "chat/rename.html", {"conversation": conversation, "error": error})


@login_required
@require_http_methods(["GET", "POST"])
def conversation_delete(request, pk):
    conversation = selectors.get_conversation_for_user(request.user, pk)
    if request.method == "POST":
        list_url = _list_url(conversation)
        title = conversation.title
        services.delete_conversation(actor=request.user, conversation=conversation)
        if request.htmx and request.POST.get("from") == "list":
            return HttpResponse("")
        messages.success(request, f"Conversation “{title}” deleted.")
        if request.htmx:
            response = HttpResponse("")
            response["HX-Redirect"] = list_url
            return response
        return redirect(list_url)
    return render(request, "chat/delete.html", {"conversation": conversation, "list_url": _list_url(conversation)})
