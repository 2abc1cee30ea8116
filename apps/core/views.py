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
    results = await run_checks()
    down = [name for name, state in results.items() if state != "ok"]
    status = 503 if down else 200
    return JsonResponse({"status": "down" if down else "ok", "down": down, "checks": results}, status=status)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)
