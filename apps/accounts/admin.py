from django.contrib import admin

from apps.accounts.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "full_name", "srs_algorithm", "created_at"]
    list_filter = ["srs_algorithm"]
    search_fields = ["user__username", "user__email", "full_name"]
    raw_id_fields = ["user"]
