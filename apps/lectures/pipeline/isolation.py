"""Run a function in a forked, memory-limited, killable child process.

The Django worker calls ``run_isolated(extract, path, kind, ..., timeout_s=..., memory_mb=...)`` so that a
hostile file (decompression bomb, parser crash, endless loop) can only take down the child.

- fork context, non-daemonic child (so it may itself start threads and Tesseract subprocesses);
- the child becomes the leader of a new process group, and the parent kills the whole group at the end, so
  Tesseract processes started by the child never outlive it;
- RLIMIT_AS = memory already mapped at fork time + ``memory_mb`` (the forked worker may already have large
  libraries mapped; the limit is the headroom the extraction may use);
- results travel back pickled over a pipe, read while the child runs (no deadlock on large results);
- a callable ``progress=`` keyword argument is NOT called in the child: the child gets a stand-in that sends
  each call over the pipe and the parent calls the real callback in its own process (so a callback that
  writes to the database uses the parent's connection, never a forked copy of it).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import resource
import signal
import time
import traceback

from .errors import IngestError

log = logging.getLogger(__name__)

_POLL_S = 0.1


def _vm_kb(pid: int | str = "self", field: str = "VmSize") -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _memory_limit_bytes(memory_mb: int) -> int:
    return (_vm_kb() * 1024) + int(memory_mb) * 1024 * 1024


def _child_main(conn, fn, args, kwargs, memory_mb):
    try:
        os.setpgrp()
    except OSError:
        pass
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        try:
            signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError):
            pass
    try:
        limit = _memory_limit_bytes(memory_mb)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass
    if callable(kwargs.get("progress")):

        def relay(done, total, step):
            try:
                conn.send_bytes(pickle.dumps(("progress", int(done), int(total), str(step))))
            except (OSError, ValueError):
                pass

        kwargs = dict(kwargs, progress=relay)
    try:
        payload = ("ok", fn(*args, **kwargs))
    except IngestError as exc:
        payload = ("ingest", exc.code, exc.message)
    except MemoryError:
        payload = ("ingest", "too_much_memory", None)
    except BaseException as exc:  # noqa: BLE001 - everything must be reported to the parent
        payload = ("error", type(exc).__name__, str(exc)[:2000], traceback.format_exc()[-8000:])
    try:
        data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        payload = None
        data = pickle.dumps(("ingest", "too_much_memory", None))
    except Exception as exc:  # noqa: BLE001 - unpicklable result
        data = pickle.dumps(("error", type(exc).__name__, f"result could not be pickled: {exc}", ""))
    try:
        conn.send_bytes(data)
    finally:
        conn.close()


def _kill_group(proc) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass
    if proc.is_alive():
        proc.kill()


def run_isolated(fn, *args, timeout_s: float, memory_mb: int, **kwargs):
    """Run ``fn(*args, **kwargs)`` in a child process; return its (picklable) result.

    Raises the child's IngestError unchanged; turns a timeout, crash or memory exhaustion of the child into
    IngestError "timeout", "corrupt" or "too_much_memory".
    """
    progress = kwargs.get("progress")
    ctx = multiprocessing.get_context("fork")
    recv_conn, send_conn = ctx.Pipe(duplex=False)
    proc = ctx.Process(
        target=_child_main, args=(send_conn, fn, args, kwargs, memory_mb), daemon=False, name="smartnotes-isolated"
    )
    limit_kb = _memory_limit_bytes(memory_mb) // 1024
    proc.start()
    send_conn.close()
    deadline = time.monotonic() + float(timeout_s)
    data = None
    timed_out = False
    peak_kb = 0
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            if recv_conn.poll(min(_POLL_S, remaining)):
                try:
                    data = recv_conn.recv_bytes()
                except (EOFError, OSError):
                    data = None  # child died (possibly mid-message)
                    break
                if data[:64].find(b"progress") >= 0:
                    message = pickle.loads(data)  # noqa: S301 - our own child, same code
                    if message[0] == "progress":
                        data = None
                        if callable(progress):
                            progress(*message[1:])
                        continue
                break
            peak_kb = max(peak_kb, _vm_kb(proc.pid, "VmPeak"))
            if not proc.is_alive():
                if recv_conn.poll(0):
                    continue
                break
    finally:
        _kill_group(proc)
        proc.join(5)
        recv_conn.close()

    if data is not None:
        payload = pickle.loads(data)  # noqa: S301 - our own child, same code
        status = payload[0]
        if status == "ok":
            return payload[1]
        if status == "ingest":
            raise IngestError(payload[1], payload[2])
        log.error("isolated %s failed: %s: %s\n%s", getattr(fn, "__name__", fn), payload[1], payload[2], payload[3])
        raise IngestError(
            "corrupt", "This file could not be processed because it is damaged or uses features we cannot read."
        )
    if timed_out:
        raise IngestError("timeout", f"Processing took longer than {timeout_s:.0f} seconds and was stopped.")
    code = proc.exitcode
    near_limit = limit_kb and peak_kb >= 0.9 * limit_kb
    if code == -signal.SIGKILL or near_limit:
        raise IngestError("too_much_memory")
    log.warning("isolated %s died with exit code %s", getattr(fn, "__name__", fn), code)
    raise IngestError("corrupt", "Processing crashed on this file; it is probably damaged or malformed.")
