from django.conf import settings
from django.db import models
from django.urls import reverse

DEFAULT_TITLE = "New conversation"


class Conversation(models.Model):
    """A chat over one lecture (``lecture`` set) or over a whole subject (``lecture`` empty)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.CASCADE, related_name="conversations")
    lecture = models.ForeignKey(
        "lectures.Lecture", null=True, blank=True, on_delete=models.CASCADE, related_name="conversations"
    )
    title = models.CharField(max_length=200, default=DEFAULT_TITLE)
    # The study session this conversation counts as (kept for analytics when the conversation is deleted).
    study_session = models.OneToOneField(
        "study.StudySession", null=True, blank=True, on_delete=models.SET_NULL, related_name="conversation"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["owner", "-updated_at"], name="conversation_owner_updated"),
            models.Index(fields=["subject", "-updated_at"], name="conversation_subject_updated"),
            models.Index(fields=["lecture", "-updated_at"], name="conversation_lecture_updated"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("chat:detail", args=[self.pk])

    @property
    def scope_name(self) -> str:
        return self.lecture.name if self.lecture_id else self.subject.name

    @property
    def scope_kind(self) -> str:
        return "lecture" if self.lecture_id else "subject"


class Role(models.TextChoices):
    USER = "user", "Student"
    ASSISTANT = "assistant", "Assistant"


class MessageStatus(models.TextChoices):
    STREAMING = "streaming", "Streaming"
    COMPLETE = "complete", "Complete"
    ERROR = "error", "Error"


class AnswerKind(models.TextChoices):
    ANSWER = "answer", "Model answer"
    EXTRACTIVE = "extractive", "Passages from the notes"
    NOT_COVERED = "not_covered", "Not covered by the notes"
    QUESTION = "question", "Question"


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=10, choices=Role.choices)
    content = models.TextField(blank=True, help_text="Markdown")
    # [{"lecture_id", "lecture_name", "page", "chunk_id", "snippet"}]
    citations = models.JSONField(default=list, blank=True)
    # [{"title", "url", "snippet"}] when web search was used for this answer.
    web_results = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.COMPLETE)
    kind = models.CharField(max_length=12, choices=AnswerKind.choices, default=AnswerKind.ANSWER)
    offline = models.BooleanField(default=False, help_text="answered without the AI model")
    from_cache = models.BooleanField(default=False)
    notice = models.CharField(max_length=300, blank=True, help_text="shown above the answer (offline, AI down)")
    web_search = models.BooleanField(default=False, help_text="the student asked for web search")
    web_notice = models.CharField(max_length=300, blank=True)
    model = models.CharField(max_length=120, blank=True)
    first_token_ms = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="message_conversation_created")]

    def __str__(self):
        return f"{self.get_role_display()}: {self.content[:60]}"

    @property
    def is_user(self) -> bool:
        return self.role == Role.USER

    @property
    def html(self):
        from apps.chat.rendering import render_message

        return render_message(self)
