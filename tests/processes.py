"""Real server and worker processes for tests that cross process boundaries.

They run with the test settings against the test database (handed over as DATABASE_URL) and share MEDIA_ROOT
through the environment, so what a test writes is what the processes read.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def test_database_url() -> str:
    db = connection.settings_dict
    host = db.get("HOST") or "localhost"
    host_part = quote(host, safe="") if host.startswith("/") else host
    port = f":{db['PORT']}" if db.get("PORT") else ""
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return f"postgresql://{quote(db['USER'], safe='')}{password}@{host_part}{port}/{db['NAME']}"


def process_env(**extra) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="smartnotes.settings.test",
        DATABASE_URL=test_database_url(),
        PYTHONUNBUFFERED="1",
        WORKER_POLL_SECONDS="0.2",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(proc: subprocess.Popen, grace: float = 10) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


@contextmanager
def running_worker(log_path: Path, **env):
    log = open(log_path, "ab")  # noqa: SIM115 - closed in finally, after the process
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=process_env(**env),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        _stop(proc)
        log.close()


# The production server (uvicorn) as scripts/run.sh, Procfile and docker/ start it.
SERVE = [sys.executable, "-m", "smartnotes.serve"]


@contextmanager
def _serving(command: list[str], port: int, log_path: Path, env: dict):
    log = open(log_path, "ab")  # noqa: SIM115 - closed in finally, after the process
    proc = subprocess.Popen(
        command, cwd=ROOT, env=process_env(**env), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited early; see {log_path}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"the server did not listen within 30 s; see {log_path}")
        yield proc
    finally:
        _stop(proc)
        log.close()


@contextmanager
def running_server(log_path: Path, **env):
    """Daphne serving the app on a free port; yields its base URL. (``running_uvicorn`` is the production server;
    switching this to it is pending a full browser/websocket/fuzz run.)"""
    port = free_port()
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "smartnotes.asgi:application"]
    with _serving(command, port, log_path, env):
        yield f"http://127.0.0.1:{port}"


@contextmanager
def running_uvicorn(log_path: Path, workers: int = 1, **env):
    """The production server on a free port; yields (base URL, the process: the supervisor when workers > 1)."""
    port = free_port()
    command = [*SERVE, "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    with _serving(command, port, log_path, env) as proc:
        yield f"http://127.0.0.1:{port}", proc


@contextmanager
def running_redis(data_dir: Path):
    """A throwaway redis-server (apt: redis-server) on a free loopback port; yields its REDIS_URL."""
    import shutil

    server = shutil.which("redis-server")
    if server is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server; `make test` does it)")
    port = free_port()
    command = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    proc = subprocess.Popen(
        [*command, "--dir", str(data_dir)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(proc)


def wait_for(predicate, timeout: float, what: str) -> None:
    import pytest

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def kill_hard(proc: subprocess.Popen) -> None:
    """SIGKILL a worker cluster and every process under it, as the OOM killer or a power cut would."""
    import psutil

    family = [proc.pid] + [child.pid for child in psutil.Process(proc.pid).children(recursive=True)]
    for pid in family:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait(10)
