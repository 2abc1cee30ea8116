"""The chat websocket: ``ws/chat/<conversation_id>/``.

The page's htmx ws extension sends the chat form as JSON (``{"message": …, "use_web": "on", "HEADERS": …}``)
and swaps the HTML fragments it receives by id (``hx-swap-oob``): the question and an empty answer bubble,
then each token appended to the answer's body, then the finished answer (sanitised Markdown with citation
pills) replacing the bubble. With ``?format=json`` the same socket speaks JSON instead:
``{"type": "start"|"token"|"done"|"error", …}`` (see ``_json_event``).
"""

import asyncio
import json
import logging
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.template.loader import render_to_string
from django.utils.html import escape

from apps.chat import services
from apps.chat.models import Conversation
from apps.core import hygiene

log = logging.getLogger(__name__)

UNAUTHENTICATED = 4401
NOT_FOUND = 4404
TRUE_VALUES = {"on", "true", "1", "yes"}

# Answers keep running (and are saved) when the page goes away mid-stream; hold a reference until done.
_background: set[asyncio.Task] = set()


class InvalidText(services.InvalidQuestion):
    code = "invalid_text"


def _owns(user, conversation_id: int) -> bool:
    return Conversation.objects.filter(pk=conversation_id, owner=user).exists()


def _render_done(message) -> str:
    return render_to_string("chat/_message.html", {"message": message, "oob": True})


class ChatConsumer(AsyncWebsocketConsumer):
    # The answer streams straight from this consumer to its socket: no group messages, so no channel layer
    # (an alias that is not configured makes Channels skip it), and no per-socket listener on the database.
    channel_layer_alias = "chat-without-channel-layer"

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        try:
            conversation_id = int(self.scope["url_route"]["kwargs"]["conversation_id"])
        except (KeyError, TypeError, ValueError):
            await self.close(code=NOT_FOUND)
            return
        if not await database_sync_to_async(_owns)(user, conversation_id):
            await self.close(code=NOT_FOUND)
            return
        self.user = user
        self.conversation_id = conversation_id
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        self.json_mode = query.get("format", [""])[0] == "json"
        self.task: asyncio.Task | None = None
        self.closed = False
        await self.accept()

    async def disconnect(self, code):
        self.closed = True

    async def receive(self, text_data=None, bytes_data=None):
        problem = hygiene.problem_in_json_text(text_data or "")
        if problem:
            await self._error(InvalidText(hygiene.describe(problem)))
            return
        try:
            data = json.loads(text_data or "")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            await self._error(services.InvalidQuestion("Send a JSON object with a “message”."))
            return
        question = data.get("message")
        question = question if isinstance(question, str) else ""
        use_web = data.get("use_web")
        use_web = use_web is True or (isinstance(use_web, str) and use_web.strip().lower() in TRUE_VALUES)
        if self.task is not None and not self.task.done():
            await self._error(services.Busy("Wait for the current answer to finish."))
            return
        self.task = asyncio.create_task(self._answer(question, use_web))
        _background.add(self.task)
        self.task.add_done_callback(_background.discard)

    async def _answer(self, question: str, use_web: bool) -> None:
        try:
            async for event in services.aanswer(self.user, self.conversation_id, question, use_web=use_web):
                if event.type == "error":
                    await self._error(event.error)
                elif event.type == "start":
                    await self._send(self._start_payload(event.turn))
                elif event.type == "token":
                    await self._send(self._token_payload(event.turn, event.text))
                elif event.type == "done":
                    await self._send(await self._done_payload(event.message))
        except Exception:  # never leave the page waiting without a word
            log.exception("chat answer failed in conversation %s", self.conversation_id)
            await self._error(services.ChatError("Something went wrong while answering. Please try again."))

    # -- output -------------------------------------------------------------------------------------

    async def _send(self, payload: str) -> None:
        if self.closed:
            return
        try:
            await self.send(text_data=payload)
        except Exception:  # the socket went away; the answer is still saved
            self.closed = True

    async def _error(self, error: services.ChatError) -> None:
        if self.json_mode:
            payload = {"type": "error", "code": error.code, "message": error.message}
            if isinstance(error, services.RateLimited):
                payload["retry_after"] = error.retry_after
            await self._send(json.dumps(payload))
        else:
            await self._send(render_to_string("chat/_alert.html", {"error": error}))

    def _start_payload(self, turn) -> str:
        if self.json_mode:
            return json.dumps(
                {
                    "type": "start",
                    "message_id": turn.assistant_message_id,
                    "question_id": turn.user_message_id,
                    "title": turn.title,
                }
            )
        return render_to_string("chat/_turn.html", {"turn": turn})

    def _token_payload(self, turn, text: str) -> str:
        if self.json_mode:
            return json.dumps({"type": "token", "text": text})
        return f'<span id="msg-{turn.assistant_message_id}-body" hx-swap-oob="beforeend">{escape(text)}</span>'

    async def _done_payload(self, message) -> str:
        if self.json_mode:
            return json.dumps(
                {
                    "type": "done",
                    "message_id": message.pk,
                    "status": message.status,
                    "kind": message.kind,
                    "content": message.content,
                    "html": str(message.html),
                    "citations": message.citations,
                    "web_results": message.web_results,
                    "offline": message.offline,
                    "from_cache": message.from_cache,
                    "notice": message.notice,
                    "web_notice": message.web_notice,
                }
            )
        return await database_sync_to_async(_render_done)(message)
