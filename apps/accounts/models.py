from django.conf import settings
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

    def __str__(self):
        return self.full_name or self.user.get_username()
