import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from django.test import Client, RequestFactory

from apps.accounts import tokens
from apps.core import health
from apps.core.realtime import push_to_user
from apps.core.tests.raw_websocket import RawWebsocket
from smartnotes import embedded_pg
from tests.factories import PASSWORD, SubjectFactory, UserFactory
from tests.fake_openai.fixtures import reset_ai_caches
from tests.processes import ROOT, free_port, process_env, running_redis, running_uvicorn, running_worker, wait_for

everything = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture
def staff_client(db):
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    return client


# -- in this process --------------------------------------------------------------------------------------


@everything
def test_anonymous_callers_get_the_status_only(client, offline_env):
    response = client.get("/healthz")
    assert response.status_code == 503  # no worker runs in this test
    assert response.json() == {"status": "down"}
    assert response["Cache-Control"].startswith("max-age=0")


@everything
def test_a_student_who_is_not_staff_gets_the_status_only(owner_client, offline_env):
    assert owner_client.get("/healthz").json() == {"status": "down"}


@everything
def test_staff_see_the_worker_named_when_none_runs(staff_client, offline_env):
    response = staff_client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "down" and body["down"] == ["worker"] and body["degraded"] == []
    for part in ("database", "pgvector", "storage", "channel_layer", "ai"):
        assert body["checks"][part] == "ok", part
    assert body["ai"]["mode"] == "offline" and body["ai"]["embeddings"] == "local:all-MiniLM-L6-v2"


@pytest.mark.slow
@everything
def test_healthz_is_green_with_a_worker_running(staff_client, offline_env, tmp_path):
    with running_worker(tmp_path / "worker.log"):
        deadline = time.monotonic() + 60
        while True:
            response = staff_client.get("/healthz")
            if response.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_unwritable_storage(staff_client, settings, tmp_path, offline_env):
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    settings.MEDIA_ROOT = blocked / "media"
    body = staff_client.get("/healthz").json()
    assert "storage" in body["down"]


# -- the AI part --------------------------------------------------------------------------------------------


async def test_no_model_configured_is_ok_and_offline(offline_env):
    state, reason, details = await health.check_ai()
    assert (state, reason) == ("ok", "ok")
    assert details["mode"] == "offline" and details["endpoint"] is None


async def test_a_reachable_endpoint_is_ok_and_is_asked_for_its_models(fake_openai_env):
    state, reason, details = await health.check_ai()
    assert (state, reason) == ("ok", "ok")
    assert details["mode"] == "online" and details["chat_model"] == fake_openai_env.chat_model
    assert len(fake_openai_env.requests_to("/models")) == 1
    await health.check_ai()  # a second check within the cache period does not ask again
    assert len(fake_openai_env.requests_to("/models")) == 1


async def test_an_unreachable_endpoint_degrades(offline_env, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "secret-key")
    monkeypatch.setenv("CHAT_MODEL", "some-model")
    reset_ai_caches()
    state, reason, details = await health.check_ai()
    assert state == "degraded"
    assert "chat endpoint: cannot connect" in reason and "offline mode" in reason
    assert "secret-key" not in json.dumps(details)


async def test_a_refused_key_or_a_missing_model_degrades(fake_openai_env, monkeypatch):
    fake_openai_env.require_api_key = "the-right-key"
    state, reason, _ = await health.check_ai()
    assert state == "degraded" and "refused the API key" in reason

    fake_openai_env.require_api_key = None
    monkeypatch.setenv("CHAT_MODEL", "not-served")
    reset_ai_caches()
    state, reason, _ = await health.check_ai()
    assert state == "degraded" and "'not-served'" in reason


async def test_bad_ai_settings_are_down(offline_env, monkeypatch):
    monkeypatch.setenv("AI_TIMEOUT", "30s")
    reset_ai_caches()
    state, reason, _ = await health.check_ai()
    assert state == "down" and "AI_TIMEOUT" in reason


def test_credentials_in_an_endpoint_url_are_not_shown():
    assert health._without_credentials("https://user:pw@llm.example:8443/v1") == "https://llm.example:8443/v1"
    assert health._without_credentials("http://localhost:11434/v1") == "http://localhost:11434/v1"


# -- a real server process ------------------------------------------------------------------------------------


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def _get(url: str, cookie: str = "", headers: dict | None = None) -> tuple[int, dict, float]:
    request = urllib.request.Request(url, headers={**({"Cookie": cookie} if cookie else {}), **(headers or {})})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    return status, json.loads(body), time.monotonic() - started


@pytest.mark.slow
@everything
def test_a_running_server_stays_healthy_through_uploads_chats_and_live_progress(
    tmp_path, capsys, offline_env, fixtures_dir
):
    staff = UserFactory(is_staff=True)
    subject = SubjectFactory(user=staff, name="Python")
    cookie = _session_cookie(staff)
    pair = tokens.log_in(RequestFactory().post("/api/v1/auth/token"), login=staff.username, password=PASSWORD)
    auth = {"Authorization": f"Bearer {pair['access_token']}"}
    with running_worker(tmp_path / "worker.log"), running_uvicorn(tmp_path / "web.log") as (url, _):
        # A page's socket first, as on a server people use: it starts the process's channel-layer listener.
        socket = RawWebsocket(url, "/ws/events/?format=json", cookie=cookie, timeout=120)
        assert socket.status == 101
        events = []
        reader = threading.Thread(target=_read_events, args=(socket, events), daemon=True)
        reader.start()
        wait_for(lambda: _get(url + "/healthz", cookie)[0] == 200, 60, "/healthz to see the worker")

        with open(fixtures_dir / "lectures/py4e_Pythonlearn-02-Expressions.pdf", "rb") as handle:
            upload = httpx.post(
                f"{url}/api/v1/lectures/subject/{subject.pk}", headers=auth, files={"file": handle}, timeout=60
            )
        assert upload.status_code == 201, upload.text
        lecture_id = upload.json()["id"]
        calls, pushed, asked = [], [], []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            calls.append(_get(url + "/healthz", cookie))
            if len(calls) % 10 == 1:  # the socket keeps receiving events in between
                push_to_user(staff.pk, "health.test", data={"n": len(calls)})
                pushed.append(len(calls))
            status = httpx.get(f"{url}/api/v1/lectures/{lecture_id}", headers=auth, timeout=30).json()["status"]
            if status == "completed" and len(asked) < 3:
                conversation = httpx.post(
                    f"{url}/api/v1/chat/conversations", headers=auth, json={"lecture_id": lecture_id}, timeout=30
                ).json()
                reply = httpx.post(
                    f"{url}/api/v1/chat/conversations/{conversation['id']}/messages",
                    headers=auth,
                    json={"question": f"What does the modulo operator do? ({len(calls)})"},
                    timeout=120,
                )
                asked.append(reply.status_code)
            time.sleep(0.2)
        anonymous = _get(url + "/healthz")
        heard = lambda: [e["data"]["n"] for e in list(events) if e["event"] == "health.test"]  # noqa: E731
        wait_for(lambda: len(heard()) >= len(pushed), 30, "the last pushed events")
        socket.close()
        reader.join(10)

    assert len(calls) >= 60
    assert [status for status, _, _ in calls] == [200] * len(calls), [b for s, b, _ in calls if s != 200][:3]
    assert all(body["status"] == "ok" and body["checks"]["channel_layer"] == "ok" for _, body, _ in calls)
    assert [e["data"]["n"] for e in events if e["event"] == "health.test"] == pushed
    progress = [e["data"].get("status") for e in events if e["event"] == "lecture.status"]
    assert "processing" in progress, progress  # live progress of the upload reached the page's socket
    assert asked and set(asked) == {201}, asked
    assert anonymous[:2] == (200, {"status": "ok"})
    with capsys.disabled():
        seconds = sorted(s for _, _, s in calls)
        print(f"\n/healthz on a running server: {len(calls)} calls, median {seconds[len(seconds) // 2]:.3f} s")


def _read_events(socket, events: list) -> None:
    while True:
        try:
            events.append(json.loads(socket.receive_text()))
        except (OSError, ValueError, ConnectionError) as exc:
            events.append({"event": "reader.stopped", "data": {"error": repr(exc)}})
            return


@pytest.mark.slow
@everything
def test_a_running_server_with_an_unreachable_model_endpoint_is_degraded_not_down(tmp_path, offline_env):
    staff = UserFactory(is_staff=True)
    cookie = _session_cookie(staff)
    unreachable = {"OPENAI_BASE_URL": f"http://127.0.0.1:{free_port()}/v1", "CHAT_MODEL": "llama"}
    with running_worker(tmp_path / "worker.log"), running_uvicorn(tmp_path / "web.log", **unreachable) as (url, _):
        wait_for(lambda: _get(url + "/healthz", cookie)[1].get("down") == [], 60, "/healthz to see the worker")
        status, body, _ = _get(url + "/healthz", cookie)
        anonymous = _get(url + "/healthz")
    assert status == 200 and body["status"] == "degraded" and body["degraded"] == ["ai"]
    assert "cannot connect" in body["checks"]["ai"]
    assert body["ai"]["endpoint"] == unreachable["OPENAI_BASE_URL"] and body["ai"]["chat_model"] == "llama"
    assert anonymous[:2] == (200, {"status": "degraded"})


@pytest.mark.slow
@everything
def test_a_web_process_loads_the_embedding_model_at_start_up(tmp_path, offline_env):
    """The first question after a start must not wait for the model: the web process loads it while it already
    serves, and the staff health details say whether it holds it."""
    cookie = _session_cookie(UserFactory(is_staff=True))
    with running_uvicorn(tmp_path / "cold.log", EMBEDDINGS_WARM_UP="0") as (url, _):
        assert _get(url + "/healthz", cookie)[1]["ai"]["embeddings_loaded"] is False
    with running_uvicorn(tmp_path / "warm.log", EMBEDDINGS_WARM_UP="1") as (url, _):
        wait_for(lambda: _get(url + "/healthz", cookie)[1]["ai"]["embeddings_loaded"] is True, 120, "the model")


def _url_of(db: dict) -> str:
    return f"postgresql://{db['USER']}@{quote(db['HOST'], safe='')}/{db['NAME']}"


@pytest.mark.slow
@everything
def test_a_running_server_names_each_part_that_is_really_stopped(tmp_path, offline_env):
    """Its own PostgreSQL server, Redis (channel layer, broker, cache) and worker, each really stopped in turn;
    monitoring reads the parts with the metrics token (no staff session can be looked up without PostgreSQL)."""
    pgdata = Path(tempfile.mkdtemp(prefix="pg-health-", dir="/tmp"))  # short: its unix socket lives there
    token = {"Authorization": "Bearer health-monitor-token"}
    redis = running_redis(tmp_path)
    try:
        env = {
            "DATABASE_URL": _url_of(embedded_pg.ensure_running(pgdata, "health")),
            "METRICS_TOKEN": token["Authorization"][7:],
        }
        env["REDIS_URL"] = redis.__enter__()
        migrate = [sys.executable, "manage.py", "migrate", "--noinput"]
        subprocess.run(migrate, cwd=ROOT, env=process_env(**env), check=True, capture_output=True, timeout=300)
        with running_uvicorn(tmp_path / "web.log", **env) as (url, _):
            with running_worker(tmp_path / "worker.log", **env):
                wait_for(lambda: _get(url + "/healthz", headers=token)[0] == 200, 90, "/healthz to see the worker")
            wait_for(lambda: _get(url + "/healthz", headers=token)[1].get("down") == ["worker"], 90, "worker down")

            redis.__exit__(None, None, None)
            redis = None
            status, body, _ = _get(url + "/healthz", headers=token)
            assert status == 503 and "channel_layer" in body["down"], body
            assert "database" not in body["down"]

            embedded_pg.stop(pgdata)
            status, body, _ = _get(url + "/healthz", headers=token)
            assert status == 503 and {"database", "pgvector"} <= set(body["down"]), body
            assert _get(url + "/healthz")[:2] == (503, {"status": "down"})  # anyone else: the status alone
    finally:
        if redis is not None:
            redis.__exit__(None, None, None)
        embedded_pg.stop(pgdata)
        shutil.rmtree(pgdata, ignore_errors=True)
