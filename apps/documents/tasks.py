"""django-q2 entry points for documents: thin, ids in, work in generate/services."""

from apps.documents import generate, services


def generate_document(document_id: int, token: str) -> str:
    return generate.run(document_id, token)


def recover_stale_documents() -> dict:
    return services.recover_stale_documents()
