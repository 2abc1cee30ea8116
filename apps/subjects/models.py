from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower

from apps.core.models import TimeStamped

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a hex colour like #4f46e5.")


class SubjectIcon(models.TextChoices):
    BOOK = "book", "Book"
    FLASK = "flask", "Science"
    CALCULATOR = "calculator", "Maths"
    CODE = "code", "Computing"
    GLOBE = "globe", "Geography"
    LANDMARK = "landmark", "History"
    PALETTE = "palette", "Arts"
    MUSIC = "music", "Music"
    HEART = "heart", "Medicine"
    SCALE = "scale", "Law"
    CHART = "chart", "Economics"
    LANGUAGE = "language", "Languages"


class Subject(TimeStamped):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subjects")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=2000)
    color = models.CharField(max_length=7, default="#4f46e5", validators=[hex_colour])
    icon = models.CharField(max_length=20, choices=SubjectIcon.choices, default=SubjectIcon.BOOK)
    exam_date = models.DateField(null=True, blank=True, help_text="reviews are planned so every card is seen before it")

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint(Lower("name"), "user", name="subject_name_unique_per_user"),
            models.CheckConstraint(condition=models.Q(color__regex=r"^#[0-9a-fA-F]{6}$"), name="subject_color_hex"),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="subject_user_created")]

    def __str__(self):
        return self.name
