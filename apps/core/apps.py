from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from apps.core import metrics, schedules  # noqa: F401
        from smartnotes.ai.reporting import add_error_listener

        add_error_listener(metrics.model_error)
