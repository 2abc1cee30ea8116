from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    name = "apps.subjects"
    default_auto_field = "django.db.models.BigAutoField"
