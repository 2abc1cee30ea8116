from django.contrib import admin
from django.db.models import Count

from apps.subjects.models import Subject


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "lecture_count", "icon", "color", "created_at"]
    list_filter = ["icon", "created_at"]
    search_fields = ["name", "description", "user__username", "user__email"]
    raw_id_fields = ["user"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").annotate(n_lectures=Count("lectures"))

    @admin.display(ordering="n_lectures", description="lectures")
    def lecture_count(self, obj):
        return obj.n_lectures
