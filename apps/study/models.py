from django.conf import settings
from django.db import models


class SessionType(models.TextChoices):
    CHAT = "chat", "Chat"
    QUIZ = "quiz", "Quiz"
    FLASHCARDS = "flashcards", "Flashcards"
    READING = "reading", "Reading"


class StudySession(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_sessions")
    subject = models.ForeignKey("subjects.Subject", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    lecture = models.ForeignKey("lectures.Lecture", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    session_type = models.CharField(max_length=12, choices=SessionType.choices)
    duration = models.PositiveIntegerField(default=0, help_text="seconds")
    score = models.FloatField(null=True, blank=True, help_text="0-100")
    items_completed = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    archived = models.BooleanField(default=False)
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=0, score__lte=100),
                name="study_session_score_range",
            )
        ]
        indexes = [
            models.Index(fields=["user", "-started_at"], name="study_user_started"),
            models.Index(fields=["subject", "-started_at"], name="study_subject_started"),
            models.Index(fields=["session_type"], name="study_type"),
        ]

    def __str__(self):
        return f"{self.get_session_type_display()} session of {self.user_id} at {self.started_at:%Y-%m-%d %H:%M}"
