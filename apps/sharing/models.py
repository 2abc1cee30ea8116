from django.conf import settings
from django.db import models
from django.db.models import Q


class ShareLink(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_links")
    lecture = models.ForeignKey(
        "lectures.Lecture", null=True, blank=True, on_delete=models.CASCADE, related_name="share_links"
    )
    document = models.ForeignKey(
        "documents.GeneratedDocument", null=True, blank=True, on_delete=models.CASCADE, related_name="share_links"
    )
    code = models.CharField(max_length=64, unique=True)
    password_hash = models.CharField(max_length=255, blank=True)
    is_active = models.BooleanField(default=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    max_views = models.PositiveIntegerField(null=True, blank=True)
    view_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    last_accessed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(lecture__isnull=False) & Q(document__isnull=True))
                | (Q(lecture__isnull=True) & Q(document__isnull=False)),
                name="share_link_exactly_one_target",
            ),
            models.CheckConstraint(
                condition=Q(max_views__isnull=True) | Q(view_count__lte=models.F("max_views")),
                name="share_link_views_within_max",
            ),
        ]
        indexes = [
            models.Index(fields=["is_active"], condition=Q(is_active=True), name="share_link_active"),
            models.Index(fields=["expires_at"], name="share_link_expires"),
            models.Index(fields=["owner", "-created_at"], name="share_link_owner_created"),
        ]

    def __str__(self):
        return f"share {self.code[:8]}…"
