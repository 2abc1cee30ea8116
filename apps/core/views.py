from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from apps.core.health import run_checks


def home(request):
    if request.user.is_authenticated:
        return redirect("subjects:list")
    return render(request, "core/landing.html")


@never_cache
async def healthz(request):
    """200 "ok" or "degraded" (the model endpoint is unreachable: the app works offline), 503 "down" naming the
    failed parts. Only staff see the parts; anyone else (a load balancer) gets the status alone."""
    report = await run_checks()
    status = 503 if report["status"] == "down" else 200
    user = await request.auser()
    if not (user.is_active and user.is_staff):
        return JsonResponse({"status": report["status"]}, status=status)
    return JsonResponse(report, status=status)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)
