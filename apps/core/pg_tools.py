"""The PostgreSQL client programs (pg_dump, pg_restore, psql) backup and restore run, and how they connect.

Where they come from: `PG_BIN_DIR` when set; otherwise, for the embedded database, the binaries shipped in the
same wheel as the server; otherwise (an external `DATABASE_URL`) the ones on PATH. pg_dump refuses to dump a
server newer than itself, and pg_restore cannot read a dump made by a newer pg_dump, so the major versions are
checked up front with a message that says what to install.
"""

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connections
from psycopg.conninfo import make_conninfo

# Connection options libpq understands (Django's own OPTIONS such as "pool" are not passed on).
_LIBPQ_OPTIONS = {
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslcrl",
    "channel_binding",
    "gssencmode",
    "connect_timeout",
    "target_session_attrs",
    "options",
    "application_name",
    "service",
    "passfile",
}


class PgToolError(Exception):
    """A client program is missing, too old, or failed; the message is meant for the operator."""


@dataclass(frozen=True)
class Target:
    """Where a database lives: libpq connection parameters without the password, which travels separately."""

    params: dict
    password: str

    @property
    def conninfo(self) -> str:
        return make_conninfo(**self.params)

    def connect(self, **kwargs) -> psycopg.Connection:
        return psycopg.connect(self.conninfo, password=self.password or None, **kwargs)

    def env(self) -> dict:
        """The environment for a client program: the password as PGPASSWORD, never on its command line."""
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def configured_target(alias: str = "default") -> Target:
    db = connections[alias].settings_dict  # the test database inside pytest, the configured one otherwise
    params = {"dbname": db["NAME"], "user": db.get("USER") or None, "host": db.get("HOST") or None}
    if db.get("PORT"):
        params["port"] = str(db["PORT"])
    for key, value in (db.get("OPTIONS") or {}).items():
        if key in _LIBPQ_OPTIONS and isinstance(value, str | int):
            params[key] = str(value)
    return Target({k: v for k, v in params.items() if v is not None}, db.get("PASSWORD") or "")


def server_version(target: Target) -> tuple[int, str]:
    """(major, "18.4") of the server behind ``target``."""
    with target.connect() as conn:
        num, text = conn.execute(
            "SELECT current_setting('server_version_num')::int, current_setting('server_version')"
        ).fetchone()
    return num // 10000, text.split()[0]


@dataclass(frozen=True)
class Program:
    name: str
    path: Path
    major: int
    version: str

    def describe(self) -> str:
        return f"{self.name} {self.version} ({self.path})"


def _source() -> tuple[Path | None, str]:
    if settings.PG_BIN_DIR:
        return Path(settings.PG_BIN_DIR), f"PG_BIN_DIR={settings.PG_BIN_DIR}"
    if not settings.DATABASE_URL:
        from smartnotes.embedded_pg import bin_dir

        return bin_dir(), "the embedded PostgreSQL wheel"
    return None, "PATH"


def find(name: str) -> Program:
    folder, where = _source()
    if folder is None:
        found = shutil.which(name)
        path = Path(found) if found else None
    else:
        path = folder / name if (folder / name).is_file() and os.access(folder / name, os.X_OK) else None
    if path is None:
        raise PgToolError(
            f"{name} was not found in {where}. Install the PostgreSQL client programs of your server's major "
            "version (e.g. apt-get install postgresql-client-18) or set PG_BIN_DIR to their bin folder."
        )
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise PgToolError(f"{path} --version failed: {exc}") from exc
    match = re.search(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?", out)
    if not match:
        raise PgToolError(f"{path} does not look like a PostgreSQL program (its --version said {out.strip()!r})")
    return Program(name, path, int(match[1]), match[1] + (f".{match[2]}" if match[2] else ""))


def find_at_least(name: str, major: int, what: str) -> Program:
    """``name`` whose major version is ``major`` or newer; ``what`` says what it must match, for the message."""
    program = find(name)
    if program.major < major:
        raise PgToolError(
            f"{program.describe()} is older than {what} (PostgreSQL {major}): install the PostgreSQL {major} client "
            f"programs (e.g. apt-get install postgresql-client-{major}) or set PG_BIN_DIR to their bin folder."
        )
    return program
