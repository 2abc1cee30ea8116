from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat, pluralize

from apps.core.backup import BackupError
from apps.core.restore import restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive written by `manage.py backup` into the configured database and MEDIA_ROOT. The "
        "archive is checked first; both must be empty unless --force. Stop the web and worker processes first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--force", action="store_true", help="replace a database and media folder that are not empty"
        )

    def handle(self, *args, archive, force=False, **options):
        log = self.stderr.write if options["verbosity"] > 0 else (lambda message: None)
        try:
            summary = restore_backup(archive, force=force, log=log)
        except BackupError as exc:
            raise CommandError(f"Restore failed: {exc}") from exc
        except OSError as exc:
            raise CommandError(f"Restore failed: {exc}") from exc
        app = summary.manifest.get("app") or {}
        made_by = " ".join(str(v) for v in (app.get("version"), (app.get("git_commit") or "")[:12]) if v)
        self.stdout.write(
            f"Restored {summary.tables} tables ({summary.rows} rows) and {summary.files} "
            f"media file{pluralize(summary.files)} "
            f"({filesizeformat(summary.bytes)}) from the backup of {summary.manifest.get('created_at')}"
            + (f" (MySmartNotes {made_by})" if made_by else "")
            + (", replacing what was there" if summary.replaced else "")
            + f", in {summary.seconds} s. Every row count and file checksum matches the manifest."
        )
        self.stdout.write("Run `manage.py migrate` if this version of the app is newer than the backup's.")
