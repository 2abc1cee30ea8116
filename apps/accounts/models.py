from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.core.models import TimeStamped


class SrsAlgorithm(models.TextChoices):
    FSRS = "fsrs", "FSRS (recommended)"
    SM2 = "sm2", "SM-2 (classic)"


class Profile(TimeStamped):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    full_name = models.CharField(max_length=150, blank=True)
    srs_algorithm = models.CharField(
        "spaced-repetition algorithm", max_length=8, choices=SrsAlgorithm.choices, default=SrsAlgorithm.FSRS
    )

    desired_retention = models.FloatField(
        default=0.9,
        validators=[MinValueValidator(0.70), MaxValueValidator(0.97)],
        help_text="FSRS: the chance of remembering a card when it comes due (0.70-0.97).",
    )
    new_cards_per_day = models.PositiveSmallIntegerField(default=20, validators=[MaxValueValidator(500)])
    fsrs_parameters = models.JSONField(null=True, blank=True, help_text="optimised from your own reviews")

    def __str__(self):
        return self.full_name or self.user.get_username()
