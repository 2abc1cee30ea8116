from django.core.management.base import BaseCommand

from apps.core import cleanup


class Command(BaseCommand):
    help = (
        "Remove files under MEDIA_ROOT that no row references (older than CLEANUP_GRACE_HOURS), repair rows "
        "whose file is gone, delete failed tasks older than TASK_FAILURES_KEEP_DAYS, and print what was done."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="report only; change nothing")

    def handle(self, *args, dry_run=False, **options):
        report = cleanup.run(dry_run=dry_run)
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
        for line in report.lines():
            self.stdout.write(line)
