"""The realtime path end to end: a task run by a real worker process reaches a websocket client."""

import uuid

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client

from smartnotes.asgi import application
from tests.processes import running_worker

pytestmark = [pytest.mark.django_db(transaction=True, databases="__all__"), pytest.mark.slow]


def _session_headers(user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    return [(b"origin", b"http://localhost"), (b"cookie", f"sessionid={cookie}".encode())]


async def test_anonymous_sockets_are_refused():
    communicator = WebsocketCommunicator(application, "/ws/events/", headers=[(b"origin", b"http://localhost")])
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4401


async def test_a_user_receives_only_their_own_events(user, other_user):
    from asgiref.sync import sync_to_async

    from apps.core.realtime import apush_to_user

    mine = WebsocketCommunicator(application, "/ws/events/", headers=await sync_to_async(_session_headers)(user))
    theirs = WebsocketCommunicator(
        application, "/ws/events/", headers=await sync_to_async(_session_headers)(other_user)
    )
    assert (await mine.connect())[0]
    assert (await theirs.connect())[0]
    await apush_to_user(user.pk, "hello", html='<div id="x" hx-swap-oob="true">for you</div>')
    assert "for you" in await mine.receive_from(timeout=10)
    assert await theirs.receive_nothing(timeout=1)
    await mine.disconnect()
    await theirs.disconnect()


async def test_worker_task_reaches_the_users_socket(user, tmp_path):
    from asgiref.sync import sync_to_async
    from django_q.tasks import async_task

    communicator = WebsocketCommunicator(
        application, "/ws/events/?format=json", headers=await sync_to_async(_session_headers)(user)
    )
    connected, _ = await communicator.connect()
    assert connected
    token = uuid.uuid4().hex
    with running_worker(tmp_path / "worker.log"):
        await sync_to_async(async_task)("apps.core.tasks.ping_user", user.pk, token)
        try:
            message = await communicator.receive_json_from(timeout=60)
        except TimeoutError:
            pytest.fail("no event arrived from the worker; log:\n" + (tmp_path / "worker.log").read_text()[-3000:])
    assert message == {"event": "ping", "data": {"token": token}}
    await communicator.disconnect()
