from django.contrib import admin, messages

from apps.sharing.models import ShareEvent, ShareLink


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "owner",
        "lecture",
        "document",
        "mode",
        "state_label",
        "view_count",
        "max_views",
        "expires_at",
        "last_accessed_at",
    ]
    list_filter = ["is_active", "mode", "expires_at", "created_at"]
    search_fields = ["owner__username", "lecture__name"]
    raw_id_fields = ["owner", "lecture", "document"]
    list_select_related = ["owner", "lecture", "document__lecture"]
    # The code is never stored; its SHA-256 and the password hash are shown read-only and cannot open the link.
    readonly_fields = ["code_sha256", "password_hash", "view_count", "last_accessed_at"]
    actions = ["deactivate"]

    @admin.display(description="state")
    def state_label(self, obj):
        return obj.state_label

    @admin.action(description="Deactivate selected links")
    def deactivate(self, request, queryset):
        count = queryset.update(is_active=False)
        self.message_user(request, f"{count} link(s) deactivated.", messages.SUCCESS)


@admin.register(ShareEvent)
class ShareEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "link", "client"]
    list_filter = ["kind", "created_at"]
    raw_id_fields = ["link"]
    list_select_related = ["link__lecture", "link__document__lecture"]
