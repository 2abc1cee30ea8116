import os
import signal
import subprocess
import time

import pytest

from apps.lectures.pipeline import IngestError, run_isolated


def _segfault():
    os.kill(os.getpid(), signal.SIGSEGV)


def _allocate_too_much():
    blocks = []
    for _ in range(64):
        blocks.append(bytearray(256 * 1024 * 1024))  # touches the memory: 16 GiB wanted
    return len(blocks)


def _sleep_forever():
    time.sleep(3600)


def _start_grandchild_then_hang(pidfile):
    proc = subprocess.Popen(["sleep", "3600"])
    with open(pidfile, "w") as fh:
        fh.write(str(proc.pid))
    time.sleep(3600)


def _raise_ingest():
    raise IngestError("no_text", "Nothing to read here.")


def _raise_bug():
    raise ZeroDivisionError("boom")


def test_result_is_returned():
    assert run_isolated(sum, [1, 2, 3], timeout_s=10, memory_mb=256) == 6
    assert run_isolated(lambda x, *, y: x + y, 2, y=3, timeout_s=10, memory_mb=256) == 5


def test_large_result_does_not_deadlock():
    data = run_isolated(lambda: b"x" * (50 * 1024 * 1024), timeout_s=30, memory_mb=1024)
    assert len(data) == 50 * 1024 * 1024


def test_segfault_becomes_corrupt():
    with pytest.raises(IngestError) as exc:
        run_isolated(_segfault, timeout_s=10, memory_mb=256)
    assert exc.value.code == "corrupt"
    assert exc.value.message


def test_memory_hog_becomes_too_much_memory():
    t0 = time.monotonic()
    with pytest.raises(IngestError) as exc:
        run_isolated(_allocate_too_much, timeout_s=30, memory_mb=512)
    assert exc.value.code == "too_much_memory"
    assert time.monotonic() - t0 < 30


def test_timeout_kills_child_and_grandchildren(tmp_path):
    pidfile = tmp_path / "pid"
    t0 = time.monotonic()
    with pytest.raises(IngestError) as exc:
        run_isolated(_start_grandchild_then_hang, str(pidfile), timeout_s=2, memory_mb=256)
    assert exc.value.code == "timeout"
    assert time.monotonic() - t0 < 8
    grandchild = int(pidfile.read_text())
    time.sleep(0.2)
    try:
        with open(f"/proc/{grandchild}/status") as fh:
            state = next(line for line in fh if line.startswith("State:"))
        assert "Z" in state  # killed (a zombie waiting for init to reap it), not running
    except FileNotFoundError:
        pass  # killed and reaped


def test_ingest_error_passes_through():
    with pytest.raises(IngestError) as exc:
        run_isolated(_raise_ingest, timeout_s=10, memory_mb=256)
    assert exc.value.code == "no_text"
    assert exc.value.message == "Nothing to read here."


def test_unexpected_exception_becomes_corrupt():
    with pytest.raises(IngestError) as exc:
        run_isolated(_raise_bug, timeout_s=10, memory_mb=256)
    assert exc.value.code == "corrupt"


def test_parent_survives_and_still_works():
    with pytest.raises(IngestError):
        run_isolated(_segfault, timeout_s=10, memory_mb=256)
    assert run_isolated(max, 3, 9, timeout_s=10, memory_mb=256) == 9
