"""The state every background job keeps on its own row (a lecture being read, a document being generated).

Concrete models inherit ``BackgroundJob``; the runner (``runner.py``) is the only code that moves a job
between states. Field names are the ones lecture ingestion always had, so lectures kept their columns.
"""

from django.db import models


class JobStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Ready"
    FAILED = "failed", "Failed"


class BackgroundJob(models.Model):
    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.PENDING)
    error_code = models.CharField(max_length=32, blank=True)
    error_message = models.TextField(blank=True)
    progress_percent = models.PositiveSmallIntegerField(default=0)
    progress_step = models.CharField(max_length=120, blank=True)
    progress_page = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField("run token", max_length=64, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    processing_time = models.FloatField(null=True, blank=True, help_text="seconds")

    class Meta:
        abstract = True

    @property
    def is_busy(self):
        return self.status in (JobStatus.PENDING, JobStatus.PROCESSING)
