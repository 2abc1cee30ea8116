from django.contrib import admin

from apps.documents.models import GeneratedDocument


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(admin.ModelAdmin):
    list_display = ["lecture", "doc_type", "format", "version", "status", "owner", "file_size", "created_at"]
    list_filter = ["doc_type", "format", "status", "created_at"]
    search_fields = ["lecture__name", "owner__username", "file_name"]
    raw_id_fields = ["owner", "lecture"]
    list_select_related = ["lecture", "owner"]
