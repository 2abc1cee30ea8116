import json

from channels.generic.websocket import AsyncWebsocketConsumer

from apps.core.realtime import user_group

UNAUTHENTICATED = 4401
NOT_FOUND = 4404


class EventsConsumer(AsyncWebsocketConsumer):
    """One socket per open page; receives the user's events (progress, notifications)."""

    async def __call__(self, scope, receive, send):
        # Refuse anonymous sockets before the base class subscribes to the channel layer: a refused socket
        # then costs no layer connection, and nothing is left listening when the client goes away.
        user = scope.get("user")
        if user is None or not user.is_authenticated:
            message = await receive()
            if message["type"] == "websocket.connect":
                await send({"type": "websocket.close", "code": UNAUTHENTICATED})
            return
        return await super().__call__(scope, receive, send)

    async def connect(self):
        self.group = user_group(self.scope["user"].pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        # The page socket is one-way; htmx may send form values on ws-send elements, which we ignore.
        return

    async def user_event(self, message):
        # htmx's ws extension swaps HTML; API clients read the JSON form from the `?format=json` socket.
        if self.scope.get("query_string", b"").find(b"format=json") >= 0:
            await self.send(text_data=json.dumps({"event": message["event"], "data": message["data"]}))
        elif message.get("html"):
            await self.send(text_data=message["html"])


async def no_route(scope, receive, send):
    """The last websocket route: a path no consumer serves is refused with 4404 (Channels' router would raise
    and the server would log a 500)."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": NOT_FOUND})
