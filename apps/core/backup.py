"""`manage.py backup`: the database and every media file in one archive, with a manifest to check it by.

The archive is a plain tar (the dump is already compressed, uploads mostly are):

    database.dump     pg_dump -Fc of the configured database
    media/<path>      every file under MEDIA_ROOT
    manifest.json     last: app version and commit, created_at, server version, the row count of every table,
                      and the size and SHA-256 of the dump and of each media file (no connection details)

The row counts are taken in the very snapshot pg_dump dumps (an exported snapshot), so they match the dump even
while the app keeps writing. Media files are read after the dump: a file uploaded meanwhile may be in the archive
without its row (the weekly orphan clean-up removes it after a restore); stop the workers for a backup in which
nothing can be half-done.
"""

import hashlib
import io
import json
import os
import subprocess
import tarfile
import tempfile
import time
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from apps.core import pg_tools

FORMAT = "mysmartnotes-backup"
FORMAT_VERSION = 1
DUMP_NAME = "database.dump"
MANIFEST_NAME = "manifest.json"
MEDIA_PREFIX = "media/"
# Folders restore stages files in, inside MEDIA_ROOT (same file system, so moving them in is a rename).
STAGING_PREFIX = ".restore-"
_CHUNK = 1024 * 1024

# Every user table (not those an extension such as pgvector owns), schema-qualified.
TABLES_SQL = """
SELECT format('%I.%I', n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1
"""


class BackupError(Exception):
    """Backup or restore cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    manifest: dict


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def row_counts(cursor, tables: list[str]) -> dict[str, int]:
    # Table names come from the catalog, quoted by format('%I.%I').
    return {t: cursor.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}  # noqa: S608


def media_files(root: Path) -> list[tuple[str, Path]]:
    """(archive-relative posix path, file) for every regular file under ``root``; symlinks are not followed."""
    found = []
    for folder, dirs, files in os.walk(root):
        rel_folder = Path(folder).relative_to(root)
        dirs[:] = sorted(d for d in dirs if not (rel_folder == Path(".") and d.startswith(STAGING_PREFIX)))
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append(((rel_folder / name).as_posix(), path))
    return found


def app_info() -> dict:
    info = {"name": "mysmartnotes", "version": None, "git_commit": None}
    try:
        info["version"] = tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text())["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        pass
    try:
        out = subprocess.run(
            ["git", "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10
        )
        if out.returncode == 0:
            info["git_commit"] = out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return info


def default_output() -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.VAR_DIR) / "backups" / f"smartnotes-backup-{stamp}.tar"


def _resolve_output(output: Path | None) -> Path:
    if output is None:
        path = default_output()
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    else:
        path = Path(output).expanduser().absolute()
        if path.is_dir():
            path = path / default_output().name
    if not path.parent.is_dir():
        raise BackupError(f"the folder {path.parent} does not exist")
    if path.exists():
        raise BackupError(f"{path} already exists; choose another name (backups are never overwritten)")
    media = Path(settings.MEDIA_ROOT).resolve()
    if path.resolve().is_relative_to(media):
        raise BackupError(f"the archive cannot be written inside MEDIA_ROOT ({media}): it would back itself up")
    return path


class _HashingReader:
    """Reads a file for tarfile while hashing exactly the bytes that go into the archive."""

    def __init__(self, fh):
        self._fh, self.digest = fh, hashlib.sha256()

    def read(self, size=-1):
        block = self._fh.read(size)
        self.digest.update(block)
        return block


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> dict:
    stat = path.stat()
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
    with open(path, "rb") as fh:
        reader = _HashingReader(fh)
        tar.addfile(info, reader)
    return {"size": stat.st_size, "sha256": reader.digest.hexdigest()}


def _dump(target: pg_tools.Target, pg_dump: pg_tools.Program, dump_path: Path) -> dict[str, int]:
    """pg_dump into ``dump_path``; the row count of every table, counted in the snapshot pg_dump dumped."""
    with target.connect(autocommit=True) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        result = subprocess.run(
            [
                str(pg_dump.path),
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={dump_path}",
                f"--dbname={target.conninfo}",
            ],
            env=target.env(),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed (exit {result.returncode}): {result.stderr.strip()[-2000:]}")
        cursor = conn.cursor()
        tables = [row[0] for row in cursor.execute(TABLES_SQL)]
        counts = row_counts(cursor, tables)
        conn.execute("COMMIT")
    return counts


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_backup(output: Path | None = None, log=lambda message: None) -> BackupResult:
    target = pg_tools.configured_target()
    try:
        server_major, server_version = pg_tools.server_version(target)
    except Exception as exc:
        raise BackupError(f"cannot connect to the database: {exc}") from exc
    try:
        pg_dump = pg_tools.find_at_least("pg_dump", server_major, f"the database server ({server_version})")
    except pg_tools.PgToolError as exc:
        raise BackupError(str(exc)) from exc
    path = _resolve_output(output)
    media_root = Path(settings.MEDIA_ROOT)
    started, created_at = time.monotonic(), datetime.now(UTC).isoformat(timespec="seconds")

    fd, partial_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    raw = os.fdopen(fd, "wb")
    partial = Path(partial_name)  # mkstemp creates it with mode 0600
    dump_path = partial.with_suffix(".dump")
    try:
        log(f"Dumping the database with {pg_dump.describe()}…")
        dump_path.touch(mode=0o600)
        counts = _dump(target, pg_dump, dump_path)
        files = media_files(media_root) if media_root.is_dir() else []
        log(f"Archiving the dump and {len(files)} media files…")
        with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
            dump_entry = {"name": DUMP_NAME, **_add_file(tar, DUMP_NAME, dump_path)}
            dump_path.unlink()
            entries = []
            for rel, file_path in files:
                try:
                    entries.append({"path": rel, **_add_file(tar, MEDIA_PREFIX + rel, file_path)})
                except FileNotFoundError:
                    log(f"skipped {rel}: deleted while the backup ran")
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": created_at,
                "app": app_info(),
                "database": {
                    "server_version": server_version,
                    "server_major": server_major,
                    "pg_dump_version": pg_dump.version,
                    "pg_dump_major": pg_dump.major,
                    "dump": dump_entry,
                    "tables": counts,
                    "total_rows": sum(counts.values()),
                },
                "media": {"count": len(entries), "bytes": sum(e["size"] for e in entries), "files": entries},
            }
            body = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST_NAME)
            info.size, info.mtime, info.mode = len(body), int(time.time()), 0o600
            tar.addfile(info, io.BytesIO(body))
        raw.flush()
        os.fsync(raw.fileno())
        raw.close()
        os.replace(partial, path)
        _fsync_folder(path.parent)
    except BaseException:
        raw.close()
        for leftover in (partial, dump_path):
            leftover.unlink(missing_ok=True)
        raise
    manifest["seconds"] = round(time.monotonic() - started, 2)
    return BackupResult(path, path.stat().st_size, manifest)
