from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from apps.documents.models import GeneratedDocument


@receiver(post_delete, sender=GeneratedDocument)
def remove_document_file(sender, instance, **kwargs):
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: storage.delete(name))
