from django.contrib import admin
from django.template.defaultfilters import truncatechars

from apps.core.admin_files import file_label
from apps.documents.models import GeneratedDocument


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(admin.ModelAdmin):
    list_display = [
        "lecture",
        "doc_type",
        "format",
        "version",
        "status",
        "failure",
        "owner",
        "file_size",
        "file_missing",
        "created_at",
    ]
    list_filter = ["doc_type", "format", "status", "made_offline", "created_at"]
    search_fields = ["lecture__name", "owner__username", "file_name", "error_message"]
    raw_id_fields = ["owner", "subject", "lecture"]
    list_select_related = ["lecture", "owner"]
    exclude = ["file"]
    readonly_fields = ["stored_file", "file_size", "task_id", "heartbeat_at", "processed_at", "processing_time"]

    @admin.display(description="file")
    def stored_file(self, obj):
        return file_label(obj.file)

    @admin.display(ordering="error_code", description="failure")
    def failure(self, obj):
        if not obj.error_code and not obj.error_message:
            return ""
        return truncatechars(f"{obj.error_code}: {obj.error_message}".strip(": "), 120)

    @admin.display(boolean=True, description="file missing")
    def file_missing(self, obj):
        return bool(obj.metadata.get("missing_files"))
