"""Scale-out as deployed: two web processes and two worker clusters on one PostgreSQL, with a real Redis
(`redis-server`, started here) as channel layer, task broker and cache (REDIS_URL).

An upload through web process 1 shows its live progress in a browser connected to web process 2, and the chat
rate limit holds across both processes."""

import httpx
import pytest
from django.test import Client
from playwright.sync_api import expect

from apps.accounts import tokens
from tests.factories import PASSWORD, SubjectFactory, UserFactory
from tests.processes import running_redis, running_uvicorn, running_worker

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DECK = "lectures/py4e_Pythonlearn-02-Expressions.pdf"


@pytest.fixture
def redis_url(tmp_path):
    with running_redis(tmp_path) as url:
        yield url


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def test_two_web_processes_and_two_workers_share_progress_and_limits(page, tmp_path, redis_url, fixtures_dir):
    user = UserFactory()
    subject = SubjectFactory(user=user, name="Python")
    pair = tokens.log_in(_api_request(), login=user.username, password=PASSWORD)
    auth = {"Authorization": f"Bearer {pair['access_token']}"}
    env = {"REDIS_URL": redis_url, "CHAT_RATE_PER_MINUTE": "4", "WORKER_PROCESSES": "1"}

    with (
        running_uvicorn(tmp_path / "web1.log", **env) as (web1, _),
        running_uvicorn(tmp_path / "web2.log", **env) as (web2, _),
    ):
        # Upload through web process 1 while no worker runs yet: the task waits in Redis.
        with open(fixtures_dir / DECK, "rb") as handle:
            response = httpx.post(
                f"{web1}/api/v1/lectures/subject/{subject.pk}",
                headers=auth,
                files={"file": ("expressions.pdf", handle, "application/pdf")},
                timeout=60,
            )
        assert response.status_code == 201, response.text
        lecture_id = response.json()["id"]

        # A browser on web process 2 opens the lecture page, still waiting, and keeps its socket open.
        page.context.add_cookies([{"name": "sessionid", "value": _session_cookie(user), "url": web2}])
        page.goto(f"{web2}/lectures/{lecture_id}/")
        status = page.locator(f"#lecture-{lecture_id}-status")
        expect(status).to_have_attribute("data-status", "pending")
        expect(page.locator("#realtime")).to_have_attribute("data-state", "open", timeout=30_000)
        page.evaluate(
            """(sel) => { window.__seen = [];
                new MutationObserver(() => { const s = document.querySelector(sel)?.dataset.status;
                    if (s && window.__seen.at(-1) !== s) window.__seen.push(s); })
                .observe(document.body, {subtree: true, childList: true, attributes: true}); }""",
            f"#lecture-{lecture_id}-status",
        )

        # Two worker clusters take it from Redis; their progress reaches the browser through web process 2.
        with (
            running_worker(tmp_path / "worker1.log", **env),
            running_worker(tmp_path / "worker2.log", **env),
        ):
            expect(status).to_have_attribute("data-status", "completed", timeout=300_000)
        seen = page.evaluate("window.__seen")  # still there: the page was updated in place, never reloaded
        assert "processing" in seen and seen[-1] == "completed", seen
        assert "page" in page.locator(f"#lecture-{lecture_id}-status").inner_text()

        # The chat limit (4 a minute here) is one count across both web processes.
        conversation = httpx.post(
            f"{web1}/api/v1/chat/conversations", headers=auth, json={"lecture_id": lecture_id}, timeout=30
        ).json()
        asked = []
        for n, base in enumerate([web1, web2, web1, web2, web1, web2]):
            reply = httpx.post(
                f"{base}/api/v1/chat/conversations/{conversation['id']}/messages",
                headers=auth,
                json={"question": f"What does the modulo operator do? ({n})"},
                timeout=120,
            )
            asked.append(reply.status_code)
        assert asked == [201, 201, 201, 201, 429, 429], asked
        assert "retry_after" in reply.json() and int(reply.headers["Retry-After"]) >= 1


def _api_request():
    from django.test import RequestFactory

    return RequestFactory().post("/api/v1/auth/token")
