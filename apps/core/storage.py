from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """Files under MEDIA_ROOT with no public URL: they are only ever streamed by views that check access."""

    def url(self, name):
        raise ValueError("private files have no URL; stream them through a view that checks access")


_private = PrivateStorage()


def private_storage():
    return _private
