from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models

from apps.core.storage import private_storage


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


class GeneratedDocument(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="documents")
    lecture = models.ForeignKey("lectures.Lecture", on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(max_length=16, choices=DocType.choices)
    format = models.CharField(max_length=8, choices=DocFormat.choices)
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=12, choices=DocStatus.choices, default=DocStatus.PENDING)
    error_message = models.TextField(blank=True)
    file = models.FileField(upload_to=document_upload_to, storage=private_storage, max_length=500, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_size = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
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
            GinIndex(fields=["metadata"], name="document_metadata_gin"),
        ]

    def __str__(self):
        return f"{self.get_doc_type_display()} v{self.version} · {self.lecture}"
