"""``GET /metrics`` for Prometheus. With ``METRICS_TOKEN`` set, only ``Authorization: Bearer <token>`` gets in
(403 otherwise, from anywhere); without it only loopback and private addresses do, and anyone else gets a 404,
as if there were nothing here."""

import hmac
import ipaddress

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.core import metrics

# A request that came through a reverse proxy has the proxy's (private) address: it is not a local caller.
_FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


@never_cache
@require_GET
def metrics_view(request):
    token = settings.METRICS_TOKEN
    if token:
        if not has_token(request, token):
            return HttpResponse(
                "A valid METRICS_TOKEN bearer token is required.\n", status=403, content_type="text/plain"
            )
    elif not _is_local(request):
        raise Http404("not found")
    body, content_type = metrics.render()
    return HttpResponse(body, content_type=content_type)


def has_token(request, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _is_local(request) -> bool:
    if any(request.META.get(header) for header in _FORWARDING_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_private
