from django.conf import settings


def app_settings(request):
    return {"UPLOAD_MAX_MB": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
