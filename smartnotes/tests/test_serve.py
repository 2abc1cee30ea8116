"""The production server (``python -m smartnotes.serve``: uvicorn with smartnotes/uvicorn_limits.py) bounds the
request head: a header that never ends is refused with 431 once it passes 64 KiB, while the server's memory
stays flat (plain httptools kept it all, about 2 bytes per byte sent)."""

import re
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest

from smartnotes.uvicorn_limits import MAX_HEAD_BYTES, refusal
from tests.processes import ROOT, running_uvicorn

MB = 1024 * 1024


def _peak_rss_mb(pid: int) -> float:
    family = [pid, *(child.pid for child in psutil.Process(pid).children(recursive=True))]
    status = [Path(f"/proc/{member}/status").read_text() for member in family]
    return sum(int(re.search(r"^VmHWM:\s+(\d+) kB", text, re.MULTILINE).group(1)) for text in status) / 1024


def _send_head_then_read(url: str, first_line: bytes, filler: bytes, megabytes: int) -> bytes:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(first_line)
        try:
            for _ in range(megabytes):
                sock.sendall(filler * (MB // len(filler)))
        except OSError:
            pass  # the server closed after answering; the answer is still there to read
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_endless_header_gets_431_and_the_server_memory_stays_flat(tmp_path):
    with running_uvicorn(tmp_path / "uvicorn.log") as (url, proc):
        host = urlsplit(url).netloc.encode()
        landing = b"GET / HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n"
        assert _send_head_then_read(url, landing, b"a", 0).startswith(b"HTTP/1.1 200 OK\r\n")  # warm
        before = _peak_rss_mb(proc.pid)
        head = b"GET / HTTP/1.1\r\nHost: " + host + b"\r\nX-Filler: "
        answer = _send_head_then_read(url, head, b"a", 64)
        after = _peak_rss_mb(proc.pid)
    assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
    assert answer.endswith(b"The request headers are too long.\n")
    assert after - before < 10, (before, after)
    assert "Traceback" not in (tmp_path / "uvicorn.log").read_text()


def test_a_long_address_is_a_414_in_the_callers_format():
    api = refusal(b"/api/v1/subjects/?q=" + b"x" * 70_000)
    assert api.startswith(b"HTTP/1.1 414 URI Too Long\r\ncontent-type: application/json\r\n")
    assert api.endswith(b'"code": "uri_too_long"}')
    assert refusal(b"/subjects/?q=" + b"x" * 70_000).endswith(
        b"The address is too long. Shorten it (or the search in it) and try again.\n"
    )
    assert refusal(b"/").startswith(b"HTTP/1.1 431 ")
    assert MAX_HEAD_BYTES == 64 * 1024


def test_a_bad_worker_count_stops_the_server_with_the_variable_named():
    result = subprocess.run(
        [sys.executable, "-m", "smartnotes.serve"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "WEB_CONCURRENCY": "two"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Configuration error: WEB_CONCURRENCY='two' is not a whole number" in result.stderr
