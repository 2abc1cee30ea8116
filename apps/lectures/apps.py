from django.apps import AppConfig


class LecturesConfig(AppConfig):
    name = "apps.lectures"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from apps.lectures import signals  # noqa: F401
