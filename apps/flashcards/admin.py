from django.contrib import admin

from apps.flashcards.models import CardGeneration, Flashcard, ReviewLog


@admin.register(Flashcard)
class FlashcardAdmin(admin.ModelAdmin):
    list_display = ["short_question", "lecture", "owner", "card_type", "due_at", "suspended"]
    list_filter = ["card_type", "suspended", "fsrs_state"]
    search_fields = ["question", "answer", "lecture__name", "owner__username"]
    raw_id_fields = ["owner", "lecture"]
    list_select_related = ["lecture", "owner"]

    @admin.display(description="question")
    def short_question(self, obj):
        return obj.question[:80]


@admin.register(ReviewLog)
class ReviewLogAdmin(admin.ModelAdmin):
    list_display = ["card", "owner", "algorithm", "rating", "reviewed_at"]
    list_filter = ["algorithm", "rating"]
    raw_id_fields = ["card", "owner", "session"]
    list_select_related = ["card", "owner"]


@admin.register(CardGeneration)
class CardGenerationAdmin(admin.ModelAdmin):
    list_display = ["lecture", "owner", "status", "requested", "created", "skipped", "error_code", "created_at"]
    list_filter = ["status", "error_code", "made_offline", "created_at"]
    search_fields = ["lecture__name", "owner__username", "error_message"]
    raw_id_fields = ["owner", "lecture"]
    list_select_related = ["lecture", "owner"]
    readonly_fields = ["task_id", "heartbeat_at", "processed_at", "processing_time", "error_message"]
