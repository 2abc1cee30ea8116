from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "apps.documents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from apps.documents import signals  # noqa: F401
