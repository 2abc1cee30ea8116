from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import TimeStamped


class CardType(models.TextChoices):
    BASIC = "basic", "Basic"
    CLOZE = "cloze", "Cloze"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"


class FsrsState(models.IntegerChoices):
    LEARNING = 1, "Learning"
    REVIEW = 2, "Review"
    RELEARNING = 3, "Relearning"


class Flashcard(TimeStamped):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flashcards")
    lecture = models.ForeignKey("lectures.Lecture", on_delete=models.CASCADE, related_name="flashcards")
    card_type = models.CharField(max_length=16, choices=CardType.choices, default=CardType.BASIC)
    question = models.TextField()
    answer = models.TextField()
    source_page = models.PositiveIntegerField(null=True, blank=True)
    suspended = models.BooleanField(default=False)
    due_at = models.DateTimeField(null=True, blank=True, help_text="empty: new card, due now")
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    # SM-2 state (seeds/action-flows.md §7)
    repetitions = models.PositiveIntegerField(default=0)
    interval_days = models.PositiveIntegerField(default=0)
    ease_factor = models.FloatField(default=2.5)
    # FSRS state (fsrs package)
    fsrs_state = models.PositiveSmallIntegerField(choices=FsrsState.choices, default=FsrsState.LEARNING)
    fsrs_step = models.PositiveSmallIntegerField(null=True, blank=True, default=0)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ease_factor__gte=1.3), name="flashcard_ease_at_least_1_3"),
        ]
        indexes = [
            models.Index(fields=["owner", "due_at"], condition=Q(suspended=False), name="flashcard_due_queue"),
            models.Index(fields=["lecture", "-created_at"], name="flashcard_lecture_created"),
        ]

    def __str__(self):
        return self.question[:60]


class ReviewLog(models.Model):
    card = models.ForeignKey(Flashcard, on_delete=models.CASCADE, related_name="reviews")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    algorithm = models.CharField(max_length=8)
    rating = models.PositiveSmallIntegerField(help_text="SM-2 quality 0-5 or FSRS rating 1-4")
    reviewed_at = models.DateTimeField(auto_now_add=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    due_before = models.DateTimeField(null=True, blank=True)
    due_after = models.DateTimeField(null=True, blank=True)
    interval_days = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-reviewed_at"]
        indexes = [models.Index(fields=["owner", "-reviewed_at"], name="review_owner_time")]

    def __str__(self):
        return f"review of card {self.card_id} ({self.algorithm} {self.rating})"
