import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartnotes.settings.base")

if "daphne.server" in sys.modules:  # served by Daphne: answer over-long request lines (see the module)
    from smartnotes.daphne_limits import install as _answer_long_lines  # noqa: E402

    _answer_long_lines()

from django.core.asgi import get_asgi_application  # noqa: E402

from smartnotes.env import stop_on_improper_env  # noqa: E402

with stop_on_improper_env():  # a bad setting: one line naming it, not a traceback from the server
    django_asgi_app = get_asgi_application()

from django.conf import settings  # noqa: E402

if settings.EMBEDDINGS_WARM_UP:
    from smartnotes import ai  # noqa: E402

    ai.warm_up_in_background()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from apps.core.body_limit import LimitRequestBody  # noqa: E402
from smartnotes.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # An over-limit body is refused from its Content-Length (or cut off while streaming), never read whole.
        "http": LimitRequestBody(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
