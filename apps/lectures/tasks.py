"""django-q2 entry points for lectures: thin, ids in, work in ingest/services."""

from apps.lectures import ingest, piece_indexing, services


def process_lecture(lecture_id: int, token: str) -> str:
    return ingest.run(lecture_id, token)


def index_lecture_pieces(lecture_id: int, token: str) -> str:
    return piece_indexing.run(lecture_id, token)


def recover_stale_lectures() -> dict:
    return services.recover_stale_lectures()


def reembed_stale_lectures() -> list[int]:
    return services.reembed_stale_lectures()
