import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartnotes.settings.base")

if "daphne.server" in sys.modules:  # served by Daphne: answer over-long request lines (see the module)
    from smartnotes.daphne_limits import install as _answer_long_lines  # noqa: E402

    _answer_long_lines()

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from smartnotes.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
