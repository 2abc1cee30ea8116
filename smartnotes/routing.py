from django.urls import path, re_path

from apps.chat.routing import websocket_urlpatterns as chat_websockets
from apps.core.consumers import EventsConsumer, no_route

websocket_urlpatterns = [
    path("ws/events/", EventsConsumer.as_asgi()),
    *chat_websockets,
    re_path(r"", no_route),  # keep last
]
