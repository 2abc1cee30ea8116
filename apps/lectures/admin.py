from django.contrib import admin, messages
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.template.defaultfilters import truncatechars

from apps.core.admin_files import file_label
from apps.flashcards.models import Flashcard
from apps.lectures import services
from apps.lectures.models import Chunk, Figure, Lecture, LecturePage


class LecturePageInline(admin.TabularInline):
    model = LecturePage
    fields = ["number", "method", "confidence"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("lecture")


def _card_count():
    cards = Flashcard.objects.filter(lecture=OuterRef("pk")).order_by().values("lecture").annotate(n=Count("pk"))
    return Coalesce(Subquery(cards.values("n"), output_field=IntegerField()), Value(0))


@admin.register(Lecture)
class LectureAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "owner",
        "subject",
        "role",
        "file_type",
        "status",
        "pages_read_label",
        "failure",
        "cards",
        "files_missing",
        "uploaded_at",
    ]
    list_filter = ["status", "role", "file_type", "error_code", "uploaded_at"]
    search_fields = ["name", "original_filename", "owner__username", "subject__name", "error_message"]
    raw_id_fields = ["owner", "subject"]
    exclude = ["file"]
    readonly_fields = [
        "stored_file",
        "pages_read_label",
        "cards",
        "sha256",
        "file_size",
        "processing_time",
        "processed_at",
        "processing_started_at",
        "heartbeat_at",
        "task_id",
    ]
    date_hierarchy = "uploaded_at"
    inlines = [LecturePageInline]
    list_select_related = ["owner", "subject"]
    actions = ["reprocess"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(card_count=_card_count())

    @admin.display(description="file")
    def stored_file(self, obj):
        return file_label(obj.file)

    @admin.display(description="pages read")
    def pages_read_label(self, obj):
        if obj.page_count is None:
            return "—"
        return f"{obj.pages_read} of {obj.page_count}"

    @admin.display(ordering="error_code", description="failure")
    def failure(self, obj):
        if not obj.error_code and not obj.error_message:
            return ""
        return truncatechars(f"{obj.error_code}: {obj.error_message}".strip(": "), 120)

    @admin.display(ordering="card_count", description="flashcards")
    def cards(self, obj):
        return obj.card_count

    @admin.display(boolean=True, description="files missing")
    def files_missing(self, obj):
        return bool(obj.metadata.get("missing_files"))

    @admin.action(description="Reprocess selected lectures (rebuild pages and passages from the original)")
    def reprocess(self, request, queryset):
        queued, busy, no_file, refused = 0, 0, [], []
        for lecture in queryset.select_related("owner"):
            if lecture.is_busy:
                busy += 1
                continue
            if not lecture.file:
                no_file.append(lecture.name)
                continue
            try:
                # The same service as the lecture page's Reprocess button, acting as the lecture's owner (so
                # it counts in the owner's hourly Retry/Reprocess limit).
                services.reprocess_lecture(actor=lecture.owner, lecture=lecture)
            except services.RequeueRefused as exc:
                refused.append(f"“{lecture.name}”: {exc.message}")
                continue
            queued += 1
        if queued:
            self.message_user(request, f"{queued} lecture(s) queued for reprocessing.", messages.SUCCESS)
        if busy:
            self.message_user(request, f"{busy} lecture(s) already waiting or processing; left as they are.")
        for reason in refused:
            self.message_user(request, f"Not queued — {reason}", messages.WARNING)
        if no_file:
            names = ", ".join(f"“{name}”" for name in no_file)
            self.message_user(
                request, f"No original file to reprocess from: {names}. The owner must upload it again.", messages.ERROR
            )


@admin.register(LecturePage)
class LecturePageAdmin(admin.ModelAdmin):
    list_display = ["lecture", "number", "method", "confidence"]
    list_filter = ["method"]
    search_fields = ["lecture__name", "text"]
    raw_id_fields = ["lecture"]
    list_select_related = ["lecture"]
    exclude = ["thumbnail"]
    readonly_fields = ["page_image"]

    @admin.display(description="page image")
    def page_image(self, obj):
        return file_label(obj.thumbnail)


@admin.register(Chunk)
class ChunkAdmin(admin.ModelAdmin):
    list_display = ["lecture", "page", "chunk_index", "content_type", "owner"]
    list_filter = ["content_type"]
    search_fields = ["text", "lecture__name"]
    raw_id_fields = ["lecture", "owner", "subject"]
    exclude = ["embedding"]
    list_select_related = ["lecture", "owner"]


@admin.register(Figure)
class FigureAdmin(admin.ModelAdmin):
    list_display = ["__str__", "lecture", "page", "index", "width", "height"]
    raw_id_fields = ["lecture"]
    search_fields = ["lecture__name", "caption"]
    list_select_related = ["lecture"]
    exclude = ["image"]
    readonly_fields = ["stored_image"]

    @admin.display(description="image")
    def stored_image(self, obj):
        return file_label(obj.image)
