from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat, pluralize

from apps.core.backup import BackupError, make_backup


class Command(BaseCommand):
    help = (
        "Write one archive (mode 0600) with a pg_dump of the database, every file under MEDIA_ROOT and a "
        "manifest (row counts, SHA-256 of every file); default: $SMARTNOTES_VAR_DIR/backups/<UTC time>.tar."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="archive path, or an existing folder to write it into")

    def handle(self, *args, output=None, **options):
        log = self.stderr.write if options["verbosity"] > 0 else (lambda message: None)
        try:
            result = make_backup(output, log=log)
        except BackupError as exc:
            raise CommandError(f"Backup failed: {exc}") from exc
        except OSError as exc:  # e.g. the disk filled up; the partial archive is already removed
            raise CommandError(f"Backup failed: could not write the archive: {exc}") from exc
        database, media = result.manifest["database"], result.manifest["media"]
        self.stdout.write(
            f"Backup written to {result.path} ({filesizeformat(result.size)}): "
            f"{len(database['tables'])} tables, {database['total_rows']} rows, "
            f"{media['count']} media file{pluralize(media['count'])} ({filesizeformat(media['bytes'])}), "
            f"PostgreSQL {database['server_version']}, in {result.manifest['seconds']} s."
        )
