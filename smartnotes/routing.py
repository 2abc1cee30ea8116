from django.urls import path

from apps.chat.routing import websocket_urlpatterns as chat_websockets
from apps.core.consumers import EventsConsumer

websocket_urlpatterns = [
    path("ws/events/", EventsConsumer.as_asgi()),
    *chat_websockets,
]
