from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import F
from pgvector.django import HnswIndex, VectorField

from apps.core.storage import private_storage
from apps.jobs.models import BackgroundJob
from apps.lectures.pipeline.transcripts import format_timestamp

EMBEDDING_DIMENSIONS = 384
# The full-text configuration of lectures whose language is not detected (and of rows older than detection).
DEFAULT_TEXT_LANGUAGE = "english"


class TextSearchConfigField(models.CharField):
    """A PostgreSQL text search configuration ("english", "french"; text_language.py) stored as `regconfig`: the
    chunk's full-text vector is generated from it, and only a regconfig column (not text cast to one) keeps that
    expression immutable, as a generated column requires."""

    def db_type(self, connection):
        return "regconfig"


def lecture_upload_to(instance, filename):
    return f"uploads/{instance.owner_id}/{instance.pk}/{filename}"


def page_thumb_upload_to(instance, filename):
    return f"uploads/{instance.lecture.owner_id}/{instance.lecture_id}/pages/{filename}"


def figure_upload_to(instance, filename):
    return f"uploads/{instance.lecture.owner_id}/{instance.lecture_id}/figures/{filename}"


class FileType(models.TextChoices):
    PDF = "pdf", "PDF"
    PPTX = "pptx", "PowerPoint"
    DOCX = "docx", "Word"
    MARKDOWN = "markdown", "Markdown"
    TEXT = "text", "Plain text"
    IMAGE = "image", "Image"
    HTML = "html", "Web page / slides"
    TRANSCRIPT = "transcript", "Transcript (subtitles)"
    AUDIO = "audio", "Recording"


class LectureRole(models.TextChoices):
    LECTURE = "lecture", "Lecture material"
    EXAM = "exam", "Past exam"


class LectureStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Ready"
    FAILED = "failed", "Failed"


class Lecture(BackgroundJob):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lectures")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.CASCADE, related_name="lectures")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    file = models.FileField(upload_to=lecture_upload_to, storage=private_storage, max_length=500, blank=True)
    original_filename = models.CharField(max_length=255)
    file_size = models.BigIntegerField(default=0)
    file_type = models.CharField(max_length=10, choices=FileType.choices)
    sha256 = models.CharField(max_length=64, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    # An exam is read like a lecture (pages, for the past-paper split) but never indexed for retrieval.
    role = models.CharField(max_length=8, choices=LectureRole.choices, default=LectureRole.LECTURE)
    status = models.CharField(max_length=12, choices=LectureStatus.choices, default=LectureStatus.PENDING)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    embedding_model = models.CharField(max_length=120, blank=True)
    # The full-text configuration its chunks are indexed with, detected from its text at ingestion.
    language = models.CharField(max_length=32, default=DEFAULT_TEXT_LANGUAGE, db_default=DEFAULT_TEXT_LANGUAGE)
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        indexes = [
            models.Index(fields=["subject", "-uploaded_at"], name="lecture_subject_uploaded"),
            models.Index(fields=["owner", "status"], name="lecture_owner_status"),
            models.Index(fields=["status", "heartbeat_at"], name="lecture_status_heartbeat"),
            GinIndex(fields=["metadata"], name="lecture_metadata_gin"),
        ]

    def __str__(self):
        return self.name

    @property
    def unreadable_pages(self) -> list[dict]:
        """[{"page", "code", "reason"}] of the pages skipped at ingestion because they could not be read."""
        return list(self.metadata.get("unreadable_pages") or [])

    @property
    def pages_read(self) -> int:
        return max(0, (self.page_count or 0) - len(self.unreadable_pages))


class PageMethod(models.TextChoices):
    TEXT = "text", "Text layer"
    OCR = "ocr", "OCR"
    NATIVE = "native", "Document structure"


class LecturePage(models.Model):
    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    method = models.CharField(max_length=8, choices=PageMethod.choices)
    confidence = models.FloatField(null=True, blank=True)
    thumbnail = models.ImageField(upload_to=page_thumb_upload_to, storage=private_storage, max_length=500, blank=True)
    # A transcript or recording is cut into time windows: each page is one, cited by its start time.
    start_seconds = models.FloatField(null=True, blank=True)
    end_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["lecture", "number"]
        constraints = [models.UniqueConstraint(fields=["lecture", "number"], name="page_number_unique_per_lecture")]

    def __str__(self):
        return f"{self.lecture} {self.label}"

    @property
    def unreadable_reason(self) -> str:
        """Why this page could not be read ("" when it was read)."""
        return next((p["reason"] for p in self.lecture.unreadable_pages if p.get("page") == self.number), "")

    @property
    def timestamp(self) -> str:
        """ "12:34" for a time-window page, "" for a page of a document."""
        return format_timestamp(self.start_seconds) if self.start_seconds is not None else ""

    @property
    def end_timestamp(self) -> str:
        return format_timestamp(self.end_seconds) if self.end_seconds is not None else ""

    @property
    def label(self) -> str:
        """How a citation names this page: "12:34" in a recording, "p. 7" in a document."""
        return self.timestamp or f"p. {self.number}"


class ContentType(models.TextChoices):
    HEADING = "heading", "Heading"
    TEXT = "text", "Text"
    LIST = "list", "List"
    TABLE = "table", "Table"


class Chunk(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.CASCADE, related_name="+")
    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="chunks")
    page = models.PositiveIntegerField()
    chunk_index = models.PositiveIntegerField()
    content_type = models.CharField(max_length=8, choices=ContentType.choices, default=ContentType.TEXT)
    text = models.TextField()
    # The page's slide title or section (pipeline/context.py): read with the text by the embedding, and its
    # words weigh most (A) in full-text ranking.
    title = models.CharField(max_length=200, blank=True, default="", db_default="")
    # The page lists topics (agenda, summary, section divider) rather than teaching one: ranked lower.
    is_overview = models.BooleanField(default=False, db_default=False)
    embedding = VectorField(dimensions=EMBEDDING_DIMENSIONS, null=True)
    # The lecture's full-text configuration (Lecture.language): French slides are stemmed as French.
    language = TextSearchConfigField(max_length=32, default=DEFAULT_TEXT_LANGUAGE, db_default=DEFAULT_TEXT_LANGUAGE)
    search_vector = models.GeneratedField(
        expression=SearchVector("title", config=F("language"), weight="A") + SearchVector("text", config=F("language")),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["lecture", "chunk_index"]
        constraints = [
            models.UniqueConstraint(fields=["lecture", "chunk_index"], name="chunk_index_unique_per_lecture")
        ]
        indexes = [
            HnswIndex(
                name="chunk_embedding_hnsw",
                fields=["embedding"],
                m=16,
                ef_construction=64,
                opclasses=["vector_cosine_ops"],
            ),
            GinIndex(fields=["search_vector"], name="chunk_search_gin"),
            models.Index(fields=["lecture", "page"], name="chunk_lecture_page"),
            models.Index(fields=["owner", "subject"], name="chunk_owner_subject"),
        ]

    def __str__(self):
        return f"{self.lecture} p. {self.page} #{self.chunk_index}"


class ChunkPiece(models.Model):
    """The vector of one bullet point or sentence (pair) of a chunk (pipeline/pieces.py): retrieval ranks a
    candidate chunk by its best piece too. Only the vector is kept; the chunk is what is shown and cited."""

    chunk = models.ForeignKey(Chunk, on_delete=models.CASCADE, related_name="pieces")
    embedding = VectorField(dimensions=EMBEDDING_DIMENSIONS)

    def __str__(self):
        return f"piece of {self.chunk_id}"


class Figure(models.Model):
    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="figures")
    page = models.PositiveIntegerField()
    index = models.PositiveIntegerField()
    image = models.ImageField(upload_to=figure_upload_to, storage=private_storage, max_length=500)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    caption = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["lecture", "page", "index"]
        constraints = [models.UniqueConstraint(fields=["lecture", "page", "index"], name="figure_unique_per_page")]

    def __str__(self):
        return f"slide_{self.page:02d}_fig_{self.index:02d}"
