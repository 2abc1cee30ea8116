"""`manage.py restore`: put a backup (apps/core/backup.py) back, or change nothing.

1. The whole archive is read once and every member checked against the manifest (size, SHA-256; nothing
   missing, nothing extra): a corrupt or truncated archive is refused before anything is touched.
2. The database and MEDIA_ROOT must be empty, unless --force (then their contents are replaced).
3. The files are unpacked into a staging folder inside MEDIA_ROOT, checked again as they are written.
4. pg_restore turns the dump into SQL that psql runs in ONE transaction, after a guard (empty database) or the
   wipe (--force): a failure anywhere leaves the database as it was.
5. Only then are the staged files moved into MEDIA_ROOT, and the row counts and file checksums compared with
   the manifest.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings

from apps.core import pg_tools
from apps.core.backup import (
    DUMP_NAME,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST_NAME,
    MEDIA_PREFIX,
    STAGING_PREFIX,
    TABLES_SQL,
    BackupError,
    row_counts,
    sha256_file,
)

_CHUNK = 1024 * 1024
_MANIFEST_MAX_BYTES = 256 * 1024 * 1024

_USER_SCHEMA = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'"
_NOT_EXTENSION_MEMBER = (
    "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '{catalog}'::regclass AND d.objid = {oid} "
    "AND d.deptype = 'e')"
)

# Run first in the restore's transaction when the target must be empty: another process may have migrated it
# since the check.
_GUARD_SQL = f"""
SET client_min_messages = warning;
DO $guard$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p') AND {_USER_SCHEMA}
               AND {_NOT_EXTENSION_MEMBER.format(catalog="pg_class", oid="c.oid")}) THEN
    RAISE EXCEPTION 'the database gained tables while the restore was starting; nothing was restored';
  END IF;
END $guard$;
"""  # noqa: S608 - built from the constants above

# --force: drop what this app's migrations create (tables, views, sequences, functions such as
# channels-postgres' trigger function) in the same transaction as the restore. Extensions (pgvector) stay:
# creating one again may need a superuser.
_WIPE_SQL = f"""
SET client_min_messages = warning;
DO $wipe$
DECLARE statements text[];
DECLARE statement text;
BEGIN
  SELECT coalesce(array_agg(s ORDER BY ord), '{{}}') INTO statements FROM (
    SELECT format('DROP %s IF EXISTS %s CASCADE',
                  CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                                 WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
                  c.oid::regclass) AS s,
           CASE WHEN c.relkind IN ('r', 'p', 'f') THEN 1 WHEN c.relkind = 'S' THEN 3 ELSE 2 END AS ord
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND NOT c.relispartition AND {_USER_SCHEMA}
      AND {_NOT_EXTENSION_MEMBER.format(catalog="pg_class", oid="c.oid")}
    UNION ALL
    SELECT format('DROP ROUTINE IF EXISTS %s CASCADE', p.oid::regprocedure), 4
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prokind IN ('f', 'p') AND {_USER_SCHEMA}
      AND {_NOT_EXTENSION_MEMBER.format(catalog="pg_proc", oid="p.oid")}
  ) AS drops;
  FOREACH statement IN ARRAY statements LOOP
    EXECUTE statement;
  END LOOP;
END $wipe$;
"""  # noqa: S608 - built from the constants above

# A comment on an extension needs its owner (a superuser), and the target already has or creates the extension.
_EXTENSION_COMMENT = re.compile(r"^\d+;\s+\d+\s+\d+\s+COMMENT\s+-\s+EXTENSION\s")


@dataclass(frozen=True)
class RestoreSummary:
    manifest: dict
    tables: int
    rows: int
    files: int
    bytes: int
    replaced: bool
    seconds: float


def _damaged(archive: Path, why: str) -> BackupError:
    return BackupError(f"{archive} cannot be restored: {why}. Nothing was changed.")


def _safe_media_path(rel: str) -> PurePosixPath | None:
    path = PurePosixPath(rel)
    if (
        not rel
        or "\x00" in rel
        or "\\" in rel
        or path.is_absolute()
        or any(part in ("", ".", "..") for part in rel.split("/"))
        or path.parts[0].startswith(STAGING_PREFIX)
    ):
        return None
    return path


def _hash_member(fh) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    while block := fh.read(_CHUNK):
        digest.update(block)
        size += len(block)
    return size, digest.hexdigest()


def _expected_members(manifest: dict, archive: Path) -> dict[str, dict]:
    try:
        if manifest.get("format") != FORMAT:
            raise _damaged(archive, "it is not a MySmartNotes backup (its manifest names no such format)")
        if int(manifest.get("format_version", 0)) > FORMAT_VERSION:
            raise _damaged(archive, "it was made by a newer MySmartNotes; update the app first")
        members = {DUMP_NAME: manifest["database"]["dump"]}
        for entry in manifest["media"]["files"]:
            if _safe_media_path(entry["path"]) is None:
                raise _damaged(archive, f"the manifest names an unsafe media path {entry['path']!r}")
            members[MEDIA_PREFIX + entry["path"]] = entry
        for entry in members.values():
            if not (isinstance(entry["size"], int) and isinstance(entry["sha256"], str)):
                raise ValueError(f"bad size or sha256 in {entry!r}")
        if not all(isinstance(n, int) for n in manifest["database"]["tables"].values()):
            raise ValueError("bad row count")
    except (KeyError, TypeError, ValueError) as exc:
        raise _damaged(archive, f"its manifest is incomplete ({exc!r})") from exc
    return members


def verify_archive(archive: Path) -> dict:
    """Read the whole archive once; return its manifest if every member matches it, else raise BackupError."""
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist or is not a file")
    seen: dict[str, tuple[int, str]] = {}
    manifest_bytes = None
    try:
        with tarfile.open(archive, mode="r|") as tar:
            for member in tar:
                if manifest_bytes is not None:
                    raise _damaged(archive, f"it has an entry after the manifest ({member.name!r})")
                if not member.isfile():
                    raise _damaged(archive, f"it holds {member.name!r}, which is not a regular file")
                if member.name in seen:
                    raise _damaged(archive, f"it holds {member.name!r} twice")
                fh = tar.extractfile(member)
                if member.name == MANIFEST_NAME:
                    if member.size > _MANIFEST_MAX_BYTES:
                        raise _damaged(archive, "its manifest is implausibly large")
                    manifest_bytes = fh.read()
                    continue
                seen[member.name] = _hash_member(fh)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise _damaged(archive, f"the archive is damaged or truncated ({exc})") from exc
    if manifest_bytes is None:
        raise _damaged(archive, "it has no manifest.json at its end (truncated, or not a MySmartNotes backup)")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError as exc:
        raise _damaged(archive, f"its manifest is not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict):
        raise _damaged(archive, "its manifest is not a JSON object")
    expected = _expected_members(manifest, archive)
    missing = sorted(set(expected) - set(seen))
    extra = sorted(set(seen) - set(expected))
    wrong = sorted(
        name
        for name in set(expected) & set(seen)
        if seen[name] != (int(expected[name]["size"]), expected[name]["sha256"])
    )
    problems = []
    if missing:
        problems.append(f"{len(missing)} file(s) missing (e.g. {missing[0]})")
    if wrong:
        problems.append(f"{len(wrong)} file(s) whose size or SHA-256 differs from the manifest (e.g. {wrong[0]})")
    if extra:
        problems.append(f"{len(extra)} file(s) not in the manifest (e.g. {extra[0]})")
    if problems:
        raise _damaged(archive, "the archive is corrupt: " + "; ".join(problems))
    return manifest


def _existing_tables(target: pg_tools.Target) -> list[str]:
    with target.connect() as conn:
        return [row[0] for row in conn.execute(TABLES_SQL)]


def _media_entries(media_root: Path) -> list[Path]:
    return [p for p in media_root.iterdir() if not p.name.startswith(STAGING_PREFIX)]


def _file_count(media_root: Path) -> int:
    """Files (not folders: empty ones left by the app or an operator do not make it "not empty")."""
    return sum(1 for top in _media_entries(media_root) for p in [top, *top.rglob("*")] if not p.is_dir())


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _unpack(archive: Path, staging: Path, manifest: dict) -> Path:
    """Write the dump and the media files into ``staging``, re-checking each; the dump's path."""
    expected = _expected_members(manifest, archive)
    dump_path = staging / DUMP_NAME
    media = staging / "media"
    media.mkdir()
    with tarfile.open(archive, mode="r|") as tar:
        for member in tar:
            if member.name == MANIFEST_NAME:
                continue
            entry = expected[member.name]
            if member.name == DUMP_NAME:
                dest = dump_path
            else:
                dest = media / _safe_media_path(member.name.removeprefix(MEDIA_PREFIX))
                dest.parent.mkdir(parents=True, exist_ok=True)
            digest, size = hashlib.sha256(), 0
            with tar.extractfile(member) as src, open(dest, "xb") as out:
                while block := src.read(_CHUNK):
                    digest.update(block)
                    size += len(block)
                    out.write(block)
            if (size, digest.hexdigest()) != (int(entry["size"]), entry["sha256"]):
                raise _damaged(archive, f"{member.name} changed while it was being read")
            os.chmod(dest, 0o600 if dest == dump_path else settings.FILE_UPLOAD_PERMISSIONS or 0o640)
            os.utime(dest, (member.mtime, member.mtime))
    return dump_path


def _restore_database(target, pg_restore, psql, dump_path: Path, staging: Path, force: bool) -> None:
    listing = subprocess.run(
        [str(pg_restore.path), "--list", str(dump_path)], capture_output=True, text=True, env=target.env()
    )
    if listing.returncode != 0:
        raise BackupError(f"pg_restore could not read the dump: {listing.stderr.strip()[-2000:]}")
    list_path = staging / "restore.list"
    list_path.write_text(
        "".join(line + "\n" for line in listing.stdout.splitlines() if not _EXTENSION_COMMENT.match(line))
    )

    with tempfile.TemporaryFile("w+") as restore_err, tempfile.TemporaryFile("w+") as psql_err:
        producer = subprocess.Popen(
            [
                str(pg_restore.path),
                "--no-owner",
                "--no-privileges",
                f"--use-list={list_path}",
                "--file=-",
                str(dump_path),
            ],
            stdout=subprocess.PIPE,
            stderr=restore_err,
            env=target.env(),
        )
        consumer = subprocess.Popen(
            [
                str(psql.path),
                "--no-psqlrc",
                "--quiet",
                "--set=ON_ERROR_STOP=1",
                "--single-transaction",
                f"--command={_WIPE_SQL if force else _GUARD_SQL}",
                "--file=-",
                f"--dbname={target.conninfo}",
            ],
            stdin=producer.stdout,
            stdout=subprocess.DEVNULL,
            stderr=psql_err,
            env=target.env(),
        )
        producer.stdout.close()  # psql alone holds the pipe: pg_restore sees it close if psql stops
        consumer_rc = consumer.wait()
        producer_rc = producer.wait()
        restore_err.seek(0)
        psql_err.seek(0)
        if consumer_rc != 0:
            raise BackupError(
                "the database restore failed and was rolled back (nothing changed): "
                + (psql_err.read().strip()[-2000:] or f"psql exited with {consumer_rc}")
            )
        if producer_rc != 0:
            raise BackupError(f"pg_restore failed (exit {producer_rc}): {restore_err.read().strip()[-2000:]}")
    with target.connect(autocommit=True) as conn:
        conn.execute("ANALYZE")  # restored tables have no planner statistics until autovacuum gets to them


def _check(target: pg_tools.Target, media_root: Path, manifest: dict) -> list[str]:
    problems = []
    expected = manifest["database"]["tables"]
    with target.connect() as conn:
        present = [row[0] for row in conn.execute(TABLES_SQL)]
        counts = row_counts(conn.cursor(), present)
    for table, rows in sorted(expected.items()):
        if table not in counts:
            problems.append(f"table {table} is missing")
        elif counts[table] != rows:
            problems.append(f"table {table} has {counts[table]} rows, the backup {rows}")
    problems += [f"table {table} is not in the backup" for table in sorted(set(counts) - set(expected))]
    for entry in manifest["media"]["files"]:
        path = media_root / entry["path"]
        if not path.is_file():
            problems.append(f"file {entry['path']} is missing")
        elif path.stat().st_size != entry["size"] or sha256_file(path) != entry["sha256"]:
            problems.append(f"file {entry['path']} differs from the backup")
    return problems


def restore_backup(archive: Path, *, force: bool = False, log=lambda message: None) -> RestoreSummary:
    started = time.monotonic()
    archive = Path(archive).expanduser().absolute()
    log(f"Checking {archive}…")
    manifest = verify_archive(archive)
    database = manifest["database"]
    target = pg_tools.configured_target()
    try:
        server_major, server_version = pg_tools.server_version(target)
    except Exception as exc:
        raise BackupError(f"cannot connect to the database: {exc}") from exc
    if server_major < int(database["server_major"]):
        raise BackupError(
            f"the backup comes from PostgreSQL {database['server_version']} and this server is {server_version}: "
            f"restore it into PostgreSQL {database['server_major']} or newer. Nothing was changed."
        )
    dump_major = int(database["pg_dump_major"])
    try:
        pg_restore = pg_tools.find_at_least("pg_restore", dump_major, "the pg_dump that made this backup")
        psql = pg_tools.find_at_least("psql", dump_major, "the pg_dump that made this backup")
    except pg_tools.PgToolError as exc:
        raise BackupError(f"{exc} Nothing was changed.") from exc

    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    for stale in media_root.glob(STAGING_PREFIX + "*"):  # left by an interrupted restore
        _remove(stale)
    tables, files = _existing_tables(target), _file_count(media_root)
    if (tables or files) and not force:
        held = []
        if tables:
            held.append(f"the database {target.params.get('dbname')} already has {len(tables)} tables")
        if files:
            held.append(f"MEDIA_ROOT ({media_root}) is not empty ({files} file{'' if files == 1 else 's'})")
        raise BackupError(
            " and ".join(held) + ". Restore into an empty database and media folder, or pass --force to replace "
            "their contents with the backup's. Nothing was changed."
        )

    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=media_root))
    try:
        log("Unpacking…")
        try:
            dump_path = _unpack(archive, staging, manifest)
        except (tarfile.TarError, EOFError) as exc:
            raise _damaged(archive, f"it changed while it was being read ({exc})") from exc
        log(f"Restoring the database with {pg_restore.describe()}…")
        _restore_database(target, pg_restore, psql, dump_path, staging, force)
        log("Restoring the media files…")
        for entry in _media_entries(media_root):
            _remove(entry)
        for entry in (staging / "media").iterdir():
            os.replace(entry, media_root / entry.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    log("Checking the restored rows and files against the manifest…")
    problems = _check(target, media_root, manifest)
    if problems:
        raise BackupError(f"the backup was restored, but {len(problems)} check(s) failed: " + "; ".join(problems[:20]))
    return RestoreSummary(
        manifest=manifest,
        tables=len(database["tables"]),
        rows=sum(database["tables"].values()),
        files=len(manifest["media"]["files"]),
        bytes=sum(e["size"] for e in manifest["media"]["files"]),
        replaced=bool(tables or files),
        seconds=round(time.monotonic() - started, 2),
    )
