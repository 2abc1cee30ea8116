from django.contrib import admin

from apps.lectures.models import Chunk, Figure, Lecture, LecturePage


class LecturePageInline(admin.TabularInline):
    model = LecturePage
    fields = ["number", "method", "confidence"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Lecture)
class LectureAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "subject", "file_type", "status", "page_count", "error_code", "uploaded_at"]
    list_filter = ["status", "file_type", "error_code", "uploaded_at"]
    search_fields = ["name", "original_filename", "owner__username", "subject__name", "error_message"]
    raw_id_fields = ["owner", "subject"]
    readonly_fields = [
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


@admin.register(LecturePage)
class LecturePageAdmin(admin.ModelAdmin):
    list_display = ["lecture", "number", "method", "confidence"]
    list_filter = ["method"]
    search_fields = ["lecture__name", "text"]
    raw_id_fields = ["lecture"]


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
    list_display = ["lecture", "page", "index", "width", "height"]
    raw_id_fields = ["lecture"]
    search_fields = ["lecture__name", "caption"]
