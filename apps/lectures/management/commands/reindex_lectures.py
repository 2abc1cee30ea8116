"""Rebuild the passages of lectures indexed before the current index: before chunks kept their slide titles
(migration 0006), before chunks had pieces (migration 0009) or before each lecture's full text was indexed in its
own language (migration 0010: every existing lecture starts as English; a French deck is re-indexed as French
from its stored pages, in place).

Such lectures keep working, but rank as before the ranking changes (see README "Retrieval quality"). A lecture
without titles gets a queued reprocess from its kept original (the worker re-reads, re-chunks and re-embeds it;
pages, figures and answers stay available until the new index replaces them). A lecture with titles but no
pieces (indexed before them, or its pieces job, piece_indexing.py, failed) is re-embedded here, from its stored
passages (no file is read again).
"""

from django.core.management.base import BaseCommand
from django.db.models import Exists, OuterRef

from apps.lectures import services
from apps.lectures.models import Chunk, ChunkPiece, Lecture, LectureRole, LectureStatus
from apps.lectures.pipeline.pieces import piece_texts


class Command(BaseCommand):
    help = (
        "Reprocess lectures whose passages have no slide titles yet; build the missing pieces of the others and "
        "index their full text in their own language."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only list the lectures")

    def handle(self, *args, dry_run=False, **options):
        indexed = (
            Lecture.objects.filter(status=LectureStatus.COMPLETED, role=LectureRole.LECTURE)
            .filter(Exists(Chunk.objects.filter(lecture=OuterRef("pk"))))
            .select_related("owner")
        )
        titled = Exists(Chunk.objects.filter(lecture=OuterRef("pk")).exclude(title=""))
        count = 0
        for lecture in indexed.exclude(file="").exclude(titled):
            if not dry_run:
                services.reprocess_lecture(actor=lecture.owner, lecture=lecture)
            count += 1
            self.stdout.write(f"{'would queue' if dry_run else 'queued'} lecture {lecture.pk}: {lecture.name}")
        without_pieces = indexed.filter(titled).exclude(
            Exists(ChunkPiece.objects.filter(chunk__lecture=OuterRef("pk")))
        )
        for lecture in without_pieces:
            chunks = Chunk.objects.filter(lecture=lecture).values_list("title", "text")
            if not any(piece_texts(title, text) for title, text in chunks.iterator()):
                continue  # every passage is a single line: nothing to add
            if not dry_run:
                services.reembed_lecture(lecture)
            count += 1
            self.stdout.write(f"{'would re-embed' if dry_run else 're-embedded'} lecture {lecture.pk}: {lecture.name}")
        for lecture in indexed.filter(titled):
            language = services.redetect_language(lecture, dry_run=dry_run)
            if language:
                count += 1
                verb = "would re-index" if dry_run else "re-indexed"
                self.stdout.write(f"{verb} lecture {lecture.pk} in {language}: {lecture.name}")
        self.stdout.write(f"{count} lecture(s)")
