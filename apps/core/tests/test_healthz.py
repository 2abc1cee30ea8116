import time

import pytest

from tests.processes import running_worker


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_healthz_names_the_worker_when_none_runs(client):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["down"] == ["worker"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["pgvector"] == "ok"
    assert body["checks"]["storage"] == "ok"
    assert body["checks"]["channel_layer"] == "ok"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_healthz_is_green_with_a_worker_running(client, tmp_path):
    with running_worker(tmp_path / "worker.log"):
        deadline = time.monotonic() + 60
        while True:
            response = client.get("/healthz")
            if response.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_unwritable_storage(client, settings, tmp_path):
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    settings.MEDIA_ROOT = blocked / "media"
    body = client.get("/healthz").json()
    assert "storage" in body["down"]
