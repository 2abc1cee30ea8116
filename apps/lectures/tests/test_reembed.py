import numpy as np
import pytest

from apps.lectures import services
from apps.lectures.models import Chunk, Lecture, LectureStatus

pytestmark = pytest.mark.django_db


def test_a_changed_embedding_model_reembeds_old_lectures(fake_openai_embeddings_env, user, subject):
    from smartnotes import ai

    lecture = Lecture.objects.create(
        owner=user,
        subject=subject,
        name="L",
        original_filename="l.md",
        file_type="markdown",
        status=LectureStatus.COMPLETED,
        embedding_model="local:all-MiniLM-L6-v2",
    )
    old = np.zeros(384, dtype=np.float32)
    old[0] = 1.0
    Chunk.objects.create(
        owner=user, subject=subject, lecture=lecture, page=1, chunk_index=0, text="cells", embedding=old
    )
    current = Lecture.objects.create(
        owner=user,
        subject=subject,
        name="C",
        original_filename="c.md",
        file_type="markdown",
        status=LectureStatus.COMPLETED,
        embedding_model=ai.embedding_model_id(),
    )

    assert services.reembed_stale_lectures() == [lecture.pk]

    lecture.refresh_from_db()
    assert lecture.embedding_model == ai.embedding_model_id() != "local:all-MiniLM-L6-v2"
    vector = np.array(Chunk.objects.get(lecture=lecture).embedding)
    assert np.allclose(vector, ai.embed_texts(["cells"])[0], atol=1e-5)
    assert services.reembed_stale_lectures() == []  # nothing left; the current lecture was never touched
    assert current.pk not in services.reembed_stale_lectures()
