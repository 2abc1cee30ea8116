from apps.documents import generate, services
from apps.documents.models import GeneratedDocument


def generate_now(*, actor, lecture, doc_type, **options) -> GeneratedDocument:
    """Request a document and run its generation in this process (the code a worker runs)."""
    document = services.request_document(actor=actor, lecture=lecture, doc_type=doc_type, options=options)
    document.refresh_from_db()
    generate.run(document.pk, document.task_id)
    document.refresh_from_db()
    return document
