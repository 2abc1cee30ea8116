"""What each user keeps on the server, as annotations for the admin's user list (one query for any page size).

Each figure is its own correlated subquery rather than a join, so counting lectures does not multiply the
cards (a join over two to-many relations would) and the list stays one query per page. Storage is the
uploaded originals plus the generated documents, from the sizes stored on their rows; the page images and
figures derived from an upload are not counted.
"""

from django.db.models import BigIntegerField, Count, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce


def _per_owner(queryset, field: str, aggregate, output_field):
    grouped = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=aggregate).values("n")
    return Coalesce(Subquery(grouped, output_field=output_field), Value(0), output_field=output_field)


def with_usage(users: QuerySet) -> QuerySet:
    from apps.documents.models import GeneratedDocument
    from apps.flashcards.models import Flashcard
    from apps.lectures.models import Lecture
    from apps.subjects.models import Subject

    big, small = BigIntegerField(), IntegerField()
    return users.annotate(
        subject_count=_per_owner(Subject.objects, "user", Count("pk"), small),
        lecture_count=_per_owner(Lecture.objects, "owner", Count("pk"), small),
        card_count=_per_owner(Flashcard.objects, "owner", Count("pk"), small),
        upload_bytes=_per_owner(Lecture.objects, "owner", Sum("file_size"), big),
        document_bytes=_per_owner(GeneratedDocument.objects, "owner", Sum("file_size"), big),
    ).annotate(storage_bytes=Coalesce("upload_bytes", 0) + Coalesce("document_bytes", 0))
