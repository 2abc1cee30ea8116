from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models

from apps.core.storage import private_storage
from apps.jobs.models import BackgroundJob


def document_upload_to(instance, filename):
    return f"uploads/{instance.owner_id}/{instance.lecture_id}/documents/{filename}"


class DocType(models.TextChoices):
    CHEAT_SHEET = "cheat_sheet", "Cheat sheet"
    QUIZ = "quiz", "Quiz"
    FLASHCARDS = "flashcards", "Flashcard deck"
    PAST_PAPER = "past_paper", "Past paper answers"


class DocFormat(models.TextChoices):
    DOCX = "docx", "Word"
    PDF = "pdf", "PDF"
    JSON = "json", "JSON"
    APKG = "apkg", "Anki deck"
    CSV = "csv", "CSV"


class DocStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    PROCESSING = "processing", "Generating"
    COMPLETED = "completed", "Ready"
    FAILED = "failed", "Failed"


class GeneratedDocument(BackgroundJob):
    """One version of a generated document; generating it is a job of the shared runner (apps/jobs).

    ``lecture`` is the material (for a past paper: the uploaded exam, a lecture with role "exam");
    ``content`` keeps what was generated (sections, questions, answers) for the on-screen view, the quiz
    taken in the browser and the other download formats; ``options`` what the student asked for.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="documents")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.CASCADE, related_name="documents")
    lecture = models.ForeignKey("lectures.Lecture", on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(max_length=16, choices=DocType.choices)
    format = models.CharField(max_length=8, choices=DocFormat.choices)
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=12, choices=DocStatus.choices, default=DocStatus.PENDING)
    file = models.FileField(upload_to=document_upload_to, storage=private_storage, max_length=500, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_size = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    options = models.JSONField(default=dict, blank=True)
    content = models.JSONField(default=dict, blank=True)
    made_offline = models.BooleanField(default=False)
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["lecture", "doc_type", "version"], name="document_version_unique"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="document_version_positive"),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="document_owner_created"),
            models.Index(fields=["lecture", "doc_type"], name="document_lecture_type"),
            models.Index(fields=["status", "heartbeat_at"], name="document_status_heartbeat"),
            GinIndex(fields=["metadata"], name="document_metadata_gin"),
        ]

    def __str__(self):
        return f"{self.get_doc_type_display()} v{self.version} · {self.lecture}"

    @property
    def title(self):
        return f"{self.get_doc_type_display()} · {self.lecture.name}"


class QuizAttempt(models.Model):
    """One sitting of a quiz taken in the browser; ``answers`` holds the option index picked per question."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts")
    document = models.ForeignKey(GeneratedDocument, on_delete=models.CASCADE, related_name="quiz_attempts")
    answers = models.JSONField(default=list)
    correct = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    score = models.FloatField(help_text="0-100")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(auto_now_add=True)
    study_session = models.OneToOneField(
        "study.StudySession", null=True, blank=True, on_delete=models.SET_NULL, related_name="quiz_attempt"
    )

    class Meta:
        ordering = ["-finished_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=0, score__lte=100), name="quiz_attempt_score_range"),
        ]
        indexes = [models.Index(fields=["owner", "document", "-finished_at"], name="quiz_attempt_owner_doc")]

    def __str__(self):
        return f"attempt on {self.document} ({self.correct}/{self.total})"
