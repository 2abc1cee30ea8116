from django.conf import settings
from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from apps.core.health import run_checks
from apps.core.metrics_views import has_token


def home(request):
    if request.user.is_authenticated:
        return redirect("subjects:list")
    return render(request, "core/landing.html")


@never_cache
async def healthz(request):
    """200 "ok" or "degraded" (the model endpoint is unreachable: the app works offline), 503 "down" naming the
    failed parts. Only staff and monitoring (``Authorization: Bearer $METRICS_TOKEN``) see the parts; anyone else
    (a load balancer) gets the status alone."""
    report = await run_checks()
    status = 503 if report["status"] == "down" else 200
    if not await _may_see_details(request):
        return JsonResponse({"status": report["status"]}, status=status)
    return JsonResponse(report, status=status)


async def _may_see_details(request) -> bool:
    if settings.METRICS_TOKEN and has_token(request, settings.METRICS_TOKEN):
        return True  # works while PostgreSQL is down, when no staff session can be looked up
    try:
        user = await request.auser()
    except DatabaseError:
        return False
    return user.is_active and user.is_staff


def not_found(request, exception=None):
    return render(request, "404.html", status=404)
