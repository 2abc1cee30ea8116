from django.contrib import admin

from apps.chat.models import Conversation, Message


class MessageInline(admin.TabularInline):
    model = Message
    fields = ["role", "status", "kind", "short_content", "offline", "from_cache", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    @admin.display(description="content")
    def short_content(self, obj):
        return obj.content[:120]


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "subject", "lecture", "created_at", "updated_at"]
    list_filter = ["created_at", "updated_at"]
    search_fields = ["title", "owner__username", "owner__email", "subject__name", "lecture__name"]
    raw_id_fields = ["owner", "subject", "lecture", "study_session"]
    date_hierarchy = "created_at"
    list_select_related = ["owner", "subject", "lecture"]
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "conversation",
        "role",
        "status",
        "kind",
        "offline",
        "from_cache",
        "web_search",
        "first_token_ms",
        "created_at",
    ]
    list_filter = ["role", "status", "kind", "offline", "from_cache", "web_search", "created_at"]
    search_fields = ["content", "conversation__title", "conversation__owner__username"]
    raw_id_fields = ["conversation"]
    date_hierarchy = "created_at"
    list_select_related = ["conversation"]
