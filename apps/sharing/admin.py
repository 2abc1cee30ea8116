from django.contrib import admin, messages

from apps.sharing.models import ShareLink


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    list_display = [
        "short_code",
        "owner",
        "lecture",
        "document",
        "is_active",
        "view_count",
        "max_views",
        "expires_at",
        "last_accessed_at",
    ]
    list_filter = ["is_active", "expires_at", "created_at"]
    search_fields = ["code", "owner__username", "lecture__name"]
    raw_id_fields = ["owner", "lecture", "document"]
    readonly_fields = ["code", "password_hash", "view_count", "last_accessed_at"]
    actions = ["deactivate"]

    @admin.display(description="code")
    def short_code(self, obj):
        return obj.code[:10] + "…"

    @admin.action(description="Deactivate selected links")
    def deactivate(self, request, queryset):
        count = queryset.update(is_active=False)
        self.message_user(request, f"{count} link(s) deactivated.", messages.SUCCESS)
