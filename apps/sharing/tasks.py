"""django-q2 entry points for sharing: thin, work in services."""

from apps.sharing import services


def delete_expired_links() -> dict:
    return services.delete_expired_links()
