"""Pooled PostgreSQL connections for the web server processes.

Under ASGI every request runs in a thread of its own and Django closes its connection when the request ends
(persistent connections belong to a thread, so they would leak): without a pool each logged-in page opened a
new connection, about 6 ms on a local socket, more than most pages take to render. ``smartnotes/asgi.py`` calls
:func:`enable` before the settings load, so Daphne and uvicorn processes borrow connections from a pool of
``DB_POOL_MAX_SIZE``; manage.py, the django-q2 worker and the test process never do: the worker forks (its
cluster, the isolated extraction), and a pool's open sockets must not be shared across a fork.
"""

_enabled = False


def enable() -> None:
    global _enabled
    _enabled = True


def pool_options(max_size: int) -> dict | None:
    """The ``OPTIONS["pool"]`` of the default database in this process, or None for plain connections."""
    if not _enabled or max_size == 0:
        return None
    # A connection is checked (one round trip) when it is handed out, so a restarted server costs no failed page.
    return {"min_size": min(2, max_size), "max_size": max_size, "timeout": 10}
