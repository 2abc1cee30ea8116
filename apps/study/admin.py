from django.contrib import admin

from apps.study.models import StudySession


@admin.register(StudySession)
class StudySessionAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "session_type",
        "subject",
        "lecture",
        "duration",
        "score",
        "items_completed",
        "started_at",
        "archived",
    ]
    list_filter = ["session_type", "archived", "started_at"]
    search_fields = ["user__username", "subject__name", "lecture__name"]
    raw_id_fields = ["user", "subject", "lecture"]
    list_select_related = ["user", "subject", "lecture"]
    date_hierarchy = "started_at"
