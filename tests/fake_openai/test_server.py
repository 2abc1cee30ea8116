"""Checks of the fake server itself, at the HTTP level (the AI module's tests use it through ``openai``)."""

import base64
import json
import urllib.error
import urllib.request

import numpy as np
import pytest

from tests.fake_openai.server import FakeOpenAIServer, fake_embedding, split_tokens


def post(server, path, body, headers=None):
    req = urllib.request.Request(
        server.base_url + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    with urllib.request.urlopen(req, timeout=5) as resp:
        return resp.status, resp.headers, resp.read().decode()


def test_base_url_and_models(fake_openai):
    assert fake_openai.base_url.startswith("http://127.0.0.1:") and fake_openai.base_url.endswith("/v1")
    with urllib.request.urlopen(fake_openai.base_url + "/models", timeout=5) as resp:
        ids = [m["id"] for m in json.load(resp)["data"]]
    assert ids == ["fake-chat", "fake-generation", "fake-embedding", "fake-whisper"]


def test_non_streaming_format(fake_openai):
    status, _, text = post(
        fake_openai, "/chat/completions", {"model": "m", "messages": [{"role": "user", "content": "hello there"}]}
    )
    body = json.loads(text)
    assert status == 200
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "ECHO: hello there", "refusal": None}
    assert body["choices"][0]["finish_reason"] == "stop"
    assert body["usage"]["total_tokens"] == body["usage"]["prompt_tokens"] + body["usage"]["completion_tokens"]


def test_streaming_format(fake_openai):
    fake_openai.reply = "Hello  big\nworld "
    status, headers, text = post(
        fake_openai, "/chat/completions", {"model": "m", "stream": True, "messages": [{"role": "user", "content": "x"}]}
    )
    assert status == 200 and headers["Content-Type"].startswith("text/event-stream")
    events = [e for e in text.split("\n\n") if e]
    assert all(e.startswith("data: ") for e in events)
    assert events[-1] == "data: [DONE]"
    chunks = [json.loads(e[6:]) for e in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" and c["model"] == "m" for c in chunks)
    assert len({c["id"] for c in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    content = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    assert content == fake_openai.reply


def test_split_tokens_roundtrip():
    for text in ["", "one", " lead", "a  b\n\nc ", "trailing   "]:
        assert "".join(split_tokens(text)) == text
    assert split_tokens("one two") == ["one", " two"]


def test_embeddings_deterministic_and_formats(fake_openai):
    _, _, text = post(fake_openai, "/embeddings", {"model": "e", "input": ["same text", "same text", "other"]})
    data = json.loads(text)["data"]
    vectors = np.array([d["embedding"] for d in data])
    assert vectors.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-6)
    assert np.array_equal(vectors[0], vectors[1]) and not np.allclose(vectors[0], vectors[2])
    _, _, text = post(fake_openai, "/embeddings", {"model": "e", "input": "same text", "encoding_format": "base64"})
    decoded = np.frombuffer(base64.b64decode(json.loads(text)["data"][0]["embedding"]), dtype="<f4")
    np.testing.assert_allclose(decoded, vectors[0], atol=1e-6)
    np.testing.assert_allclose(decoded, fake_embedding("same text"), atol=1e-6)


def test_fake_embeddings_share_words():
    a, b, c = (fake_embedding(t) for t in ["binary search tree", "a binary search tree", "tax report"])
    assert float(a @ b) > float(a @ c) + 0.3


def test_fail_next_and_records(fake_openai):
    fake_openai.fail_next(1, status=503)
    with pytest.raises(urllib.error.HTTPError) as info:
        post(fake_openai, "/embeddings", {"model": "e", "input": "x"})
    assert info.value.code == 503
    assert info.value.headers["retry-after-ms"] == "10"
    assert json.loads(info.value.read())["error"]["type"] == "server_error"
    post(fake_openai, "/embeddings", {"model": "e", "input": "x"}, headers={"Authorization": "Bearer k"})
    assert [r.status for r in fake_openai.requests] == [503, 200]
    assert fake_openai.requests[-1]["input"] == "x"
    assert fake_openai.requests[-1].headers["authorization"] == "Bearer k"


def test_unknown_path_and_bad_body(fake_openai):
    with pytest.raises(urllib.error.HTTPError) as info:
        post(fake_openai, "/nope", {})
    assert info.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as info:
        post(fake_openai, "/chat/completions", {"model": "m", "messages": []})
    assert info.value.code == 400


def test_stop_closes_the_port():
    server = FakeOpenAIServer().start()
    url = server.base_url
    server.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "/models", timeout=2)


def test_transcriptions_take_a_multipart_file_and_answer_in_each_format(fake_openai):
    import io
    import wave

    import openai

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes(bytes(2 * 16000 * 3))  # 3 s of silence
    client = openai.OpenAI(base_url=fake_openai.base_url, api_key="k", max_retries=0)
    verbose = client.audio.transcriptions.create(
        model="fake-whisper", file=("talk.wav", buffer.getvalue()), response_format="verbose_json"
    )
    assert verbose.duration == 3.0
    assert [(s.start, s.end, s.text) for s in verbose.segments] == [
        (0.0, 3.0, " This is the fake transcript of a 3.0 second recording.")
    ]
    fake_openai.transcript = [(0.0, 1.5, "Hello."), (1.5, 3.0, "Goodbye.")]
    assert client.audio.transcriptions.create(model="m", file=("a.wav", buffer.getvalue())).text == "Hello. Goodbye."
    text = client.audio.transcriptions.create(model="m", file=("a.wav", buffer.getvalue()), response_format="text")
    assert text.strip() == "Hello. Goodbye."
    (first, *_) = fake_openai.transcription_requests
    assert first["model"] == "fake-whisper" and first.files["file"][0] == "talk.wav"
    assert first.files["file"][2] == buffer.getvalue()
    with pytest.raises(openai.BadRequestError):
        client.audio.transcriptions.create(model="", file=("a.wav", buffer.getvalue()))
