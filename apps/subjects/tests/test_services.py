import pytest

from apps.subjects import services
from tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db


def test_database_enforces_unique_names_even_past_the_form(user):
    SubjectFactory(user=user, name="Chemistry")
    with pytest.raises(services.DuplicateSubjectName):
        services.create_subject(actor=user, name="CHEMISTRY")


def test_update_refuses_another_users_subject(user, other_user):
    subject = SubjectFactory(user=user)
    with pytest.raises(PermissionError):
        services.update_subject(actor=other_user, subject=subject, name="mine now")


def test_delete_cascades_to_lectures_and_files(user, settings, django_capture_on_commit_callbacks):
    from apps.lectures.models import Lecture

    subject = SubjectFactory(user=user)
    lecture = Lecture.objects.create(owner=user, subject=subject, name="L1", original_filename="a.pdf", file_type="pdf")
    folder = settings.MEDIA_ROOT / "uploads" / str(user.pk) / str(lecture.pk)
    folder.mkdir(parents=True)
    (folder / "a.pdf").write_bytes(b"%PDF-1.4")
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_subject(actor=user, subject=subject)
    assert not Lecture.objects.filter(pk=lecture.pk).exists()
    assert not folder.exists()
