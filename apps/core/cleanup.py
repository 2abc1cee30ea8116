"""The weekly clean-up of MEDIA_ROOT and the task history (scheduled; also ``manage.py cleanup_orphans``).

* Files under the folders the app writes (``uploads/``, ``tmp/``) that no row references are removed, and then
  the folders left empty. A file younger than ``CLEANUP_GRACE_HOURS`` is always kept: an upload being moved
  into place, or the pages and figures of an ingestion whose transaction has not committed yet, exist on disk
  before their rows are visible.
* Rows whose file is gone are reported and made consistent, never deleted as user data: a lecture's original
  or a document's file is cleared (its download is then a 404 instead of an error) and the row is flagged in
  ``metadata["missing_files"]`` (lecture: upload again / Reprocess; document: regenerate); a missing page image
  is cleared; a figure without its image is dropped (derived data that Reprocess rebuilds). Lectures and
  documents that are waiting or being processed are left alone.
* django-q2 failures older than ``TASK_FAILURES_KEEP_DAYS`` are deleted (successes are capped by save_limit).

The files on disk are listed before the references are read, so a row committed during the run can only
protect more files, never fewer.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

log = logging.getLogger(__name__)

MANAGED_DIRS = ("uploads", "tmp")
BUSY = ("pending", "processing")


@dataclass
class MissingFile:
    kind: str  # "lecture", "working copy", "page image", "figure", "document"
    pk: int
    path: str
    action: str


@dataclass
class CleanupReport:
    dry_run: bool
    orphans: list[tuple[str, int]] = field(default_factory=list)  # (path relative to MEDIA_ROOT, bytes)
    young_kept: int = 0
    empty_dirs: list[str] = field(default_factory=list)
    missing: list[MissingFile] = field(default_factory=list)
    failures_pruned: int = 0

    @property
    def orphan_bytes(self) -> int:
        return sum(size for _, size in self.orphans)

    def summary(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "orphans": len(self.orphans),
            "orphan_bytes": self.orphan_bytes,
            "young_kept": self.young_kept,
            "empty_dirs": len(self.empty_dirs),
            "missing": len(self.missing),
            "failures_pruned": self.failures_pruned,
        }

    def lines(self) -> list[str]:
        verb = "would remove" if self.dry_run else "removed"
        out = [f"Orphaned files: {len(self.orphans)} ({_human(self.orphan_bytes)}) {verb}"]
        out += [f"  {path} ({_human(size)})" for path, size in self.orphans]
        out.append(f"Unreferenced files younger than {settings.CLEANUP_GRACE_HOURS} h kept: {self.young_kept}")
        if self.empty_dirs:
            out.append(f"Empty folders removed: {len(self.empty_dirs)}")
        out.append(f"Rows whose file is missing: {len(self.missing)}")
        out += [f"  {m.kind} {m.pk}: {m.path} — {m.action}" for m in self.missing]
        pruned = "would be deleted" if self.dry_run else "deleted"
        out.append(f"Failed tasks older than {settings.TASK_FAILURES_KEEP_DAYS} days {pruned}: {self.failures_pruned}")
        return out


def _human(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


def run(*, dry_run: bool = False, now: datetime | None = None) -> CleanupReport:
    now = now or timezone.now()
    report = CleanupReport(dry_run=dry_run)
    cutoff = (now - timedelta(hours=settings.CLEANUP_GRACE_HOURS)).timestamp()
    root = Path(settings.MEDIA_ROOT)
    on_disk, folders = _files_on_disk(root)
    referenced = _check_rows(root, on_disk, report, dry_run=dry_run, found_at=now)
    for name, (size, mtime) in sorted(on_disk.items()):
        if name in referenced:
            continue
        if mtime > cutoff:
            report.young_kept += 1
            continue
        report.orphans.append((name, size))
        if not dry_run:
            (root / name).unlink(missing_ok=True)
    if not dry_run:
        report.empty_dirs = _remove_empty_dirs(root, folders, cutoff)
    report.failures_pruned = prune_failed_tasks(now=now, dry_run=dry_run)
    log.info("clean-up %s", report.summary())
    return report


def _files_on_disk(root: Path) -> tuple[dict[str, tuple[int, float]], dict[Path, float]]:
    """({path relative to MEDIA_ROOT: (size, mtime)} of the files under the managed folders, {folder: mtime}).
    Symlinks are not followed (a link counts as a file: removing it never touches its target). Folder times
    are taken now, before any removal touches them."""
    files, folders = {}, {}
    for top in MANAGED_DIRS:
        for dirpath, _dirs, names in os.walk(root / top):
            folder = Path(dirpath)
            try:
                folders[folder] = folder.stat().st_mtime
            except FileNotFoundError:
                continue
            for name in names:
                path = folder / name
                try:
                    stat = path.lstat()
                except FileNotFoundError:  # removed while we walked
                    continue
                files[path.relative_to(root).as_posix()] = (stat.st_size, stat.st_mtime)
    return files, folders


def _remove_empty_dirs(root: Path, folders: dict[Path, float], cutoff: float) -> list[str]:
    """Folders (below the managed tops) that are empty now and were last changed before the grace period
    (a fresh empty folder is an upload about to be moved in), deepest first."""
    removed = []
    tops = {root / top for top in MANAGED_DIRS}
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        if folder in tops or folders[folder] > cutoff:
            continue
        try:
            if not any(folder.iterdir()):
                folder.rmdir()
                removed.append(folder.relative_to(root).as_posix())
        except OSError:  # not empty after all, or gone
            continue
    return removed


def _exists(root: Path, name: str, on_disk: dict) -> bool:
    return name in on_disk or (root / name).exists()


def _check_rows(root: Path, on_disk: dict, report: CleanupReport, *, dry_run: bool, found_at) -> set[str]:
    """Every file name a row references; rows whose file is gone are recorded (and fixed unless dry-run)."""
    from apps.documents.models import GeneratedDocument
    from apps.lectures.models import Figure, Lecture, LecturePage

    referenced: set[str] = set()
    flags: dict[int, dict] = {}  # lecture pk -> what is missing

    def flag(lecture_id: int, what: str, count: int = 1):
        entry = flags.setdefault(lecture_id, {})
        entry[what] = entry.get(what, 0) + count

    lectures = Lecture.objects.exclude(file="").values_list("pk", "file", "status", "metadata__working_copy")
    for pk, name, status, working in lectures.iterator(chunk_size=2000):
        referenced.add(name)
        working_name = f"{os.path.dirname(name)}/{working}" if working else ""
        if working_name:
            referenced.add(working_name)
        if status in BUSY:
            continue
        if not _exists(root, name, on_disk):
            report.missing.append(MissingFile("lecture", pk, name, "file cleared; upload it again"))
            flag(pk, "original")
        elif working_name and not _exists(root, working_name, on_disk):
            report.missing.append(MissingFile("working copy", pk, working_name, "dropped; the PDF asks again"))
            flag(pk, "working_copy")

    busy_lectures = set(Lecture.objects.filter(status__in=BUSY).values_list("pk", flat=True))
    missing_thumbnails, missing_figures = [], []
    derived = [
        (LecturePage, "thumbnail", "page image", "cleared", missing_thumbnails, "page_images"),
        (Figure, "image", "figure", "dropped", missing_figures, "figures"),
    ]
    for model, file_field, kind, fate, missing, flag_name in derived:
        rows = model.objects.exclude(**{file_field: ""}).values_list("pk", "lecture_id", file_field)
        for pk, lecture_id, name in rows.iterator(chunk_size=5000):
            referenced.add(name)
            if lecture_id not in busy_lectures and not _exists(root, name, on_disk):
                report.missing.append(MissingFile(kind, pk, name, f"{fate}; Reprocess rebuilds it"))
                missing.append(pk)
                flag(lecture_id, flag_name)

    missing_documents = []
    documents = GeneratedDocument.objects.exclude(file="").values_list("pk", "file", "status")
    for pk, name, status in documents.iterator(chunk_size=2000):
        referenced.add(name)
        if status not in BUSY and not _exists(root, name, on_disk):
            report.missing.append(MissingFile("document", pk, name, "file cleared; generate it again"))
            missing_documents.append(pk)

    if not dry_run and report.missing:
        _repair(flags, missing_thumbnails, missing_figures, missing_documents, found_at)
    return referenced


def _repair(flags, thumbnails, figures, documents, found_at) -> None:
    from apps.documents.models import GeneratedDocument
    from apps.lectures.models import Figure, Lecture, LecturePage

    stamp = found_at.isoformat()
    with transaction.atomic():
        idle = ~Q(lecture__status__in=BUSY)  # a lecture queued since the scan rebuilds its files anyway
        LecturePage.objects.filter(idle, pk__in=thumbnails).update(thumbnail="")
        Figure.objects.filter(idle, pk__in=figures).delete()
        for lecture in Lecture.objects.select_for_update().filter(pk__in=flags).exclude(status__in=BUSY):
            missing = flags[lecture.pk]
            metadata = dict(lecture.metadata)
            if "original" in missing:
                lecture.file = ""
            if "working_copy" in missing:
                metadata.pop("working_copy", None)
            counts = {k: v for k, v in (metadata.get("missing_files") or {}).items() if k != "found_at"}
            for what, count in missing.items():
                counts[what] = counts.get(what, 0) + count
            metadata["missing_files"] = {**counts, "found_at": stamp}
            lecture.metadata = metadata
            lecture.save(update_fields=["file", "metadata"])
        for document in GeneratedDocument.objects.select_for_update().filter(pk__in=documents).exclude(status__in=BUSY):
            document.file = ""
            document.file_size = 0
            document.metadata = {**document.metadata, "missing_files": {"file": 1, "found_at": stamp}}
            document.save(update_fields=["file", "file_size", "metadata"])


def prune_failed_tasks(*, now: datetime | None = None, dry_run: bool = False) -> int:
    from django_q.models import Failure

    before = (now or timezone.now()) - timedelta(days=settings.TASK_FAILURES_KEEP_DAYS)
    old = Failure.objects.filter(stopped__lt=before)
    if dry_run:
        return old.count()
    deleted, _ = old.delete()
    return deleted
