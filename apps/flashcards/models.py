from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q

from apps.core.models import TimeStamped
from apps.jobs.models import BackgroundJob


class CardType(models.TextChoices):
    BASIC = "basic", "Basic"
    CLOZE = "cloze", "Cloze"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"


class CardOrigin(models.TextChoices):
    GENERATED = "generated", "Generated"
    MANUAL = "manual", "Written by hand"
    IMPORTED = "imported", "Imported"
    QUIZ = "quiz", "Missed quiz question"


class FsrsState(models.IntegerChoices):
    LEARNING = 1, "Learning"
    REVIEW = 2, "Review"
    RELEARNING = 3, "Relearning"


class Flashcard(TimeStamped):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flashcards")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.CASCADE, related_name="flashcards")
    lecture = models.ForeignKey("lectures.Lecture", on_delete=models.CASCADE, related_name="flashcards")
    card_type = models.CharField(max_length=16, choices=CardType.choices, default=CardType.BASIC)
    question = models.TextField()
    answer = models.TextField()
    options = models.JSONField(default=list, blank=True, help_text="multiple choice: the four options")
    source_page = models.PositiveIntegerField(null=True, blank=True)
    figure = models.ForeignKey(
        "lectures.Figure", null=True, blank=True, on_delete=models.SET_NULL, related_name="flashcards"
    )
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    origin = models.CharField(max_length=10, choices=CardOrigin.choices, default=CardOrigin.MANUAL)
    # Normalised question + answer: regenerating never adds a card the student already has.
    dedup_key = models.CharField(max_length=64, blank=True)
    edited = models.BooleanField(default=False)
    guid = models.CharField("Anki note GUID", max_length=64, blank=True)
    suspended = models.BooleanField(default=False)
    due_at = models.DateTimeField(null=True, blank=True, help_text="empty: new card, due now")
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    # Incremented by every grade and undo; a grade names the count it saw, so a double submit does nothing.
    review_count = models.PositiveIntegerField(default=0)
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
            models.Index(
                fields=["owner", "subject", "due_at"], condition=Q(suspended=False), name="flashcard_subject_due"
            ),
            # New cards in the order they are introduced (selectors.next_cards), read straight off the index.
            models.Index(
                fields=["owner", "created_at", "id"],
                condition=Q(suspended=False, due_at__isnull=True),
                name="flashcard_new_queue",
            ),
            models.Index(
                fields=["owner", "subject", "created_at", "id"],
                condition=Q(suspended=False, due_at__isnull=True),
                name="flashcard_subject_new",
            ),
            models.Index(fields=["lecture", "-created_at"], name="flashcard_lecture_created"),
            models.Index(fields=["lecture", "dedup_key"], name="flashcard_lecture_key"),
            GinIndex(fields=["tags"], name="flashcard_tags_gin"),
        ]

    def __str__(self):
        return self.question[:60]

    @property
    def is_new(self):
        return self.review_count == 0 and self.last_reviewed_at is None


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
    was_new = models.BooleanField(default=False)
    state = models.PositiveSmallIntegerField(null=True, blank=True, help_text="FSRS state after the review")
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    # The card's scheduling fields before this review, so the last grade can be undone exactly.
    previous = models.JSONField(default=dict, blank=True)
    session = models.ForeignKey(
        "study.StudySession", null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )

    class Meta:
        ordering = ["-reviewed_at"]
        indexes = [
            models.Index(fields=["owner", "-reviewed_at"], name="review_owner_time"),
            models.Index(fields=["card", "reviewed_at"], name="review_card_time"),
            # Today's first reviews (selectors.new_cards_left_today, once or twice a grade): at most new_cards_per_day
            # entries to count index-only, instead of visiting every review of the day (or of the range).
            models.Index(fields=["owner", "reviewed_at"], condition=Q(was_new=True), name="review_owner_new"),
        ]

    def __str__(self):
        return f"review of card {self.card_id} ({self.algorithm} {self.rating})"


class AnkiDeck(models.Model):
    """Stable Anki ids for one exported deck (a lecture's, or a whole subject's when lecture is empty), so a
    re-import into Anki updates the deck instead of creating a second one."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.CASCADE, related_name="+")
    lecture = models.ForeignKey("lectures.Lecture", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    deck_id = models.BigIntegerField()
    model_ids = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subject", "lecture"], name="anki_deck_unique_scope"),
            models.UniqueConstraint(
                fields=["subject"], condition=Q(lecture__isnull=True), name="anki_deck_unique_subject"
            ),
        ]

    def __str__(self):
        return f"Anki deck {self.deck_id}"


class CardGeneration(BackgroundJob):
    """One "make flashcards from this lecture" run, a job of the shared runner (apps/jobs)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    lecture = models.ForeignKey("lectures.Lecture", on_delete=models.CASCADE, related_name="card_generations")
    requested = models.PositiveSmallIntegerField(default=30)
    created = models.PositiveSmallIntegerField(default=0)
    skipped = models.PositiveSmallIntegerField(default=0, help_text="cards the student already had")
    made_offline = models.BooleanField(default=False)
    notice = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    pages = models.JSONField(default=list, blank=True, help_text="only these pages (a remedial set); empty: all")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="cardgen_status_heartbeat")]

    def __str__(self):
        return f"cards for {self.lecture_id} ({self.status})"
