from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.usersessions.admin import UserSessionAdmin as AllauthUserSessionAdmin
from allauth.usersessions.models import UserSession
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.template.defaultfilters import filesizeformat

from apps.accounts import services
from apps.accounts.models import Profile
from apps.accounts.usage import with_usage

User = get_user_model()


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "full_name", "srs_algorithm", "created_at"]
    list_filter = ["srs_algorithm"]
    search_fields = ["user__username", "user__email", "full_name"]
    raw_id_fields = ["user"]
    list_select_related = ["user"]


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin plus what each student keeps here, and a Deactivate action for moderation."""

    list_display = [
        "username",
        "email",
        "is_active",
        "is_staff",
        "storage",
        "subjects",
        "lectures",
        "cards",
        "last_login",
        "date_joined",
    ]
    list_filter = ["is_active", "is_staff", "is_superuser", "date_joined"]
    readonly_fields = ["storage", "subjects", "lectures", "cards", "last_login", "date_joined"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        ("Usage", {"fields": ["storage", "subjects", "lectures", "cards"]}),
    ]
    actions = ["deactivate"]

    def get_queryset(self, request):
        return with_usage(super().get_queryset(request))

    @admin.display(ordering="storage_bytes", description="storage used")
    def storage(self, obj):
        return filesizeformat(obj.storage_bytes)

    @admin.display(ordering="subject_count", description="subjects")
    def subjects(self, obj):
        return obj.subject_count

    @admin.display(ordering="lecture_count", description="lectures")
    def lectures(self, obj):
        return obj.lecture_count

    @admin.display(ordering="card_count", description="flashcards")
    def cards(self, obj):
        return obj.card_count

    @admin.action(description="Deactivate selected users (log them out everywhere)")
    def deactivate(self, request, queryset):
        ids = set(queryset.values_list("pk", flat=True))
        if request.user.pk in ids:
            ids.discard(request.user.pk)
            self.message_user(request, "You cannot deactivate your own account; it was skipped.", messages.WARNING)
        count = services.deactivate_users(ids)
        self.message_user(
            request, f"{count} user(s) deactivated; their sessions and API tokens ended.", messages.SUCCESS
        )


# allauth's own admins, with their users fetched in the list query (one query per page, not one per row).
admin.site.unregister(EmailAddress)
admin.site.unregister(UserSession)


@admin.register(EmailAddress)
class EmailAddressAdmin(AllauthEmailAddressAdmin):
    list_select_related = ["user"]


@admin.register(UserSession)
class UserSessionAdmin(AllauthUserSessionAdmin):
    list_select_related = ["user"]
