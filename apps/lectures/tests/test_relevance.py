"""The relevance cut-off, calibrated per embedding model: MiniLM keeps its validated value, a model with another
distance scale gets a cut-off on that scale, and the measurement is made once per model id."""

import numpy as np
import pytest

from apps.lectures import relevance, retrieval
from apps.lectures.models import Chunk
from apps.lectures.tests.helpers import ingest_now, upload_file
from smartnotes import ai
from tests.fake_openai.server import fake_embedding

# A fixed direction every vector leans towards: many embedding models are "anisotropic" like this, with all
# their cosine similarities high (unrelated texts at distance 0.2 rather than 1).
_LEAN = np.random.default_rng(2150).standard_normal(ai.EMBEDDING_DIMENSIONS)
_LEAN /= np.linalg.norm(_LEAN)


def squeezed(vectors: np.ndarray) -> np.ndarray:
    """A stand-in for another embedding model: MiniLM's vectors leaning towards one direction."""
    leaning = np.asarray(vectors, dtype=np.float64) + 2.0 * _LEAN
    return leaning / np.linalg.norm(leaning, axis=-1, keepdims=True)


def embed_squeezed(texts):
    return squeezed(ai.embed_texts(list(texts)))


@pytest.fixture(autouse=True)
def _measure_afresh():
    relevance.forget()
    yield
    relevance.forget()


def _separation(embed, cut_off: float) -> float:
    """Share of probe pairs (on topic and unrelated) on the right side of ``cut_off``."""
    questions = embed([q for q, _ in relevance.PROBES])
    passages = embed([p for _, p in relevance.PROBES])
    distances = 1.0 - np.asarray(questions) @ np.asarray(passages).T
    on_topic = np.eye(len(relevance.PROBES), dtype=bool)
    return float(((distances <= cut_off) == on_topic).mean())


def test_minilm_keeps_the_cut_off_validated_on_real_decks(offline_env):
    assert ai.embedding_model_id() == "local:all-MiniLM-L6-v2"
    assert relevance.max_distance() == pytest.approx(relevance.REFERENCE_MAX_DISTANCE, abs=0.005)


def test_a_model_with_another_distance_scale_gets_a_cut_off_on_that_scale(offline_env):
    minilm = relevance.calibrate(ai.embed_texts)
    other = relevance.calibrate(embed_squeezed)
    on_topic, unrelated = relevance.landmarks(embed_squeezed)
    assert unrelated < 0.3 and on_topic < other < unrelated < minilm
    # MiniLM's constant would call every probe pair on topic (refuse nothing); the calibrated cut-off separates
    # the pairs about as well as MiniLM's own.
    assert _separation(embed_squeezed, relevance.REFERENCE_MAX_DISTANCE) < 0.1
    assert _separation(embed_squeezed, other) == pytest.approx(_separation(ai.embed_texts, minilm), abs=0.03)


def test_a_model_that_cannot_tell_related_from_unrelated_text_is_reported(caplog):
    def constant(texts):
        return np.ones((len(texts), 4)) / 2.0

    assert relevance.calibrate(constant) == pytest.approx(0.0, abs=1e-9)
    assert "hardly separates related from unrelated text" in caplog.text


def test_the_cut_off_is_measured_once_per_model_id_with_the_endpoints_embeddings(fake_openai_embeddings_env):
    fake = fake_openai_embeddings_env
    expected = relevance.calibrate(lambda texts: np.array([fake_embedding(t) for t in texts]))
    assert relevance.max_distance() == pytest.approx(expected, abs=1e-6)
    requests = fake.embedding_requests
    assert {r["model"] for r in requests} == {fake.embedding_model}
    assert sum(len(r["input"]) for r in requests) == 2 * len(relevance.PROBES)
    assert relevance.max_distance() == pytest.approx(expected, abs=1e-6)
    assert len(fake.embedding_requests) == len(requests)  # measured once
    # The bag-of-words fake spreads its vectors differently from MiniLM: its own cut-off.
    assert abs(expected - relevance.REFERENCE_MAX_DISTANCE) > 0.1


def test_when_the_endpoint_is_down_the_reference_is_used_and_measuring_is_tried_again(fake_openai_embeddings_env):
    fake = fake_openai_embeddings_env
    fake.fail_next(3, status=503)  # the first request and its two retries
    assert relevance.max_distance() == relevance.REFERENCE_MAX_DISTANCE
    measured = relevance.max_distance()
    assert measured != relevance.REFERENCE_MAX_DISTANCE
    assert [r.status for r in fake.embedding_requests] == [503, 503, 503, 200, 200]  # questions, passages


ANSWERED = [
    "What is operator precedence?",
    "What does floor division do?",
    "How do I convert a string to an integer?",
    "How do I read input from the user?",
    "What are the rules for naming variables?",
]
NOT_ANSWERED = [
    "What is the capital of Peru?",
    "How do I bake sourdough bread?",
    "Describe the plot of Hamlet",
    "How does the immune system fight viruses?",
    "Who won the 2018 World Cup?",
]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_on_a_real_deck_each_models_cut_off_separates_covered_from_uncovered_questions(
    offline_env, fixtures_dir, user, subject
):
    deck = ingest_now(upload_file(user, subject, fixtures_dir / "lectures/py4e_Pythonlearn-02-Expressions.pdf"))
    assert deck.status == "completed", deck.error_message
    chunks = np.array([np.asarray(v) for v in Chunk.objects.filter(lecture=deck).values_list("embedding", flat=True)])
    questions = ai.embed_texts(ANSWERED + NOT_ANSWERED)
    for transform, embed in ((lambda v: v, ai.embed_texts), (squeezed, embed_squeezed)):
        cut_off = relevance.calibrate(embed)
        best = (1.0 - transform(questions) @ transform(chunks).T).min(axis=1)
        answered, not_answered = best[: len(ANSWERED)], best[len(ANSWERED) :]
        assert answered.max() <= cut_off < not_answered.min(), (cut_off, answered, not_answered)
    # relevant_hits uses the calibrated cut-off of the configured model (MiniLM here).
    for question in NOT_ANSWERED:
        assert retrieval.relevant_hits(retrieval.search(user, question, lecture_id=deck.pk)) == [], question
