"""Writes to subjects."""

from django.db import IntegrityError, transaction

from apps.subjects.models import Subject


class DuplicateSubjectName(ValueError):
    pass


def create_subject(*, actor, name: str, description: str = "", color: str = "#4f46e5", icon: str = "book") -> Subject:
    try:
        with transaction.atomic():
            return Subject.objects.create(
                user=actor, name=name.strip(), description=description, color=color, icon=icon
            )
    except IntegrityError as exc:
        if "subject_name_unique_per_user" in str(exc):
            raise DuplicateSubjectName(name) from exc
        raise


def update_subject(*, actor, subject: Subject, **fields) -> Subject:
    if subject.user_id != actor.pk:
        raise PermissionError("not your subject")
    for key, value in fields.items():
        setattr(subject, key, value.strip() if key == "name" else value)
    try:
        with transaction.atomic():
            subject.save()
    except IntegrityError as exc:
        if "subject_name_unique_per_user" in str(exc):
            raise DuplicateSubjectName(subject.name) from exc
        raise
    return subject


def delete_subject(*, actor, subject: Subject) -> None:
    if subject.user_id != actor.pk:
        raise PermissionError("not your subject")
    # Each lecture's files are removed by the lectures app's post_delete signal once this commits.
    subject.delete()
