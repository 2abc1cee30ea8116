from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "apps.study"
    default_auto_field = "django.db.models.BigAutoField"
