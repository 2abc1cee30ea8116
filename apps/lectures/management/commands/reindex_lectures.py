"""Rebuild the passages of lectures indexed before chunks kept their slide titles (migration 0006).

Such lectures keep working, but without titles their passages rank as before the ranking changes (see README
"Retrieval quality"). This queues a reprocess of each one from its kept original (the worker re-reads, re-chunks
and re-embeds it); pages, figures and answers stay available until the new index replaces them.
"""

from django.core.management.base import BaseCommand
from django.db.models import Exists, OuterRef

from apps.lectures import services
from apps.lectures.models import Chunk, Lecture, LectureRole, LectureStatus


class Command(BaseCommand):
    help = "Queue a reprocess of every completed lecture whose passages have no slide titles yet."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only list the lectures")

    def handle(self, *args, dry_run=False, **options):
        titled = Chunk.objects.filter(lecture=OuterRef("pk")).exclude(title="")
        stale = (
            Lecture.objects.filter(status=LectureStatus.COMPLETED, role=LectureRole.LECTURE)
            .exclude(file="")
            .filter(Exists(Chunk.objects.filter(lecture=OuterRef("pk"))))
            .exclude(Exists(titled))
            .select_related("owner")
        )
        count = 0
        for lecture in stale:
            if not dry_run:
                services.reprocess_lecture(actor=lecture.owner, lecture=lecture)
            count += 1
            self.stdout.write(f"{'would queue' if dry_run else 'queued'} lecture {lecture.pk}: {lecture.name}")
        self.stdout.write(f"{count} lecture(s)")
