from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ShareMode(models.TextChoices):
    PAGES = "pages", "Pages"
    PAGES_CHAT = "chat", "Pages + chat"


class LinkState(models.TextChoices):
    ACTIVE = "active", "Active"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"
    USED_UP = "used_up", "Used up"


class ShareLink(models.Model):
    """A link that opens one lecture or one generated document to anyone who has it.

    The code itself is never stored: ``code_sha256`` is its SHA-256, so the table cannot be turned back into
    working links (see ``apps/sharing/codes.py``)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_links")
    lecture = models.ForeignKey(
        "lectures.Lecture", null=True, blank=True, on_delete=models.CASCADE, related_name="share_links"
    )
    document = models.ForeignKey(
        "documents.GeneratedDocument", null=True, blank=True, on_delete=models.CASCADE, related_name="share_links"
    )
    code_sha256 = models.CharField(max_length=64, unique=True)
    password_hash = models.CharField(max_length=255, blank=True)
    mode = models.CharField(max_length=8, choices=ShareMode.choices, default=ShareMode.PAGES)
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
            models.CheckConstraint(
                condition=Q(mode=ShareMode.PAGES) | Q(lecture__isnull=False), name="share_link_chat_needs_lecture"
            ),
        ]
        indexes = [
            models.Index(fields=["is_active"], condition=Q(is_active=True), name="share_link_active"),
            models.Index(fields=["expires_at"], name="share_link_expires"),
            models.Index(fields=["owner", "-created_at"], name="share_link_owner_created"),
        ]

    def __str__(self):
        return f"share link {self.pk} · {self.target_name}"

    @property
    def target(self):
        return self.lecture if self.lecture_id else self.document

    @property
    def target_name(self) -> str:
        if self.lecture_id:
            return self.lecture.name
        return self.document.title

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    @property
    def with_chat(self) -> bool:
        return self.mode == ShareMode.PAGES_CHAT

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if not self.is_active:
            return LinkState.REVOKED
        if self.expires_at is not None and self.expires_at <= now:
            return LinkState.EXPIRED
        if self.max_views is not None and self.view_count >= self.max_views:
            return LinkState.USED_UP
        return LinkState.ACTIVE

    @property
    def state_label(self) -> str:
        return LinkState(self.state()).label


class EventKind(models.TextChoices):
    WRONG_PASSWORD = "password", "Wrong password"
    QUESTION = "question", "Visitor question"


class ShareEvent(models.Model):
    """What the rate limits count: wrong passwords and visitor questions, per link and per client.

    ``client`` is an HMAC of the visitor's IP address (``throttling.client_key``): attempts from one address
    can be counted across links without storing the address."""

    link = models.ForeignKey(ShareLink, null=True, on_delete=models.SET_NULL, related_name="events")
    kind = models.CharField(max_length=8, choices=EventKind.choices)
    client = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["link", "kind", "created_at"], name="share_event_link"),
            models.Index(fields=["client", "kind", "created_at"], name="share_event_client"),
            models.Index(fields=["created_at"], name="share_event_created"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · link {self.link_id} · {self.created_at:%Y-%m-%d %H:%M}"
