import shutil

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from apps.lectures.models import Lecture


@receiver(post_delete, sender=Lecture)
def remove_lecture_files(sender, instance, **kwargs):
    """However a lecture goes (its page, a subject or account deletion, the admin), its folder goes too."""
    folder = settings.MEDIA_ROOT / "uploads" / str(instance.owner_id) / str(instance.pk)
    transaction.on_commit(lambda: shutil.rmtree(folder, ignore_errors=True))
