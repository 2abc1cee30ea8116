"""Speech to text through the OpenAI-compatible /audio/transcriptions endpoint (the fake server in tests)."""

import pytest

from smartnotes.ai import (
    AISettings,
    Segment,
    TranscriptionFailed,
    TranscriptionNotConfigured,
    TranscriptionUnavailable,
    transcribe,
)


def test_transcription_settings_follow_the_chat_endpoint_unless_given(tmp_path):
    assert not AISettings.from_env({}).transcription_configured
    # A chat endpoint alone is not enough: most local chat servers (Ollama…) cannot transcribe.
    assert not AISettings.from_env({"OPENAI_BASE_URL": "http://chat/v1", "CHAT_MODEL": "m"}).transcription_configured
    s = AISettings.from_env({"OPENAI_BASE_URL": "http://chat/v1", "OPENAI_API_KEY": "k", "TRANSCRIPTION_MODEL": "w"})
    assert s.transcription_configured and s.transcription_base_url == "http://chat/v1"
    assert s.transcription_api_key == "k" and s.transcription_timeout_s == 900
    key_file = tmp_path / "key"
    key_file.write_text("secret\n")
    s = AISettings.from_env(
        {
            "TRANSCRIPTION_MODEL": "whisper-1",
            "TRANSCRIPTION_BASE_URL": "https://stt.example/v1/",
            "TRANSCRIPTION_API_KEY_FILE": str(key_file),
            "TRANSCRIPTION_TIMEOUT": "120",
        }
    )
    assert s.transcription_configured and s.offline  # transcription works without a chat model
    assert (s.transcription_base_url, s.transcription_api_key, s.transcription_timeout_s) == (
        "https://stt.example/v1",
        "secret",
        120,
    )
    with pytest.raises(ValueError, match="TRANSCRIPTION_BASE_URL"):
        AISettings.from_env({"TRANSCRIPTION_BASE_URL": "stt.example"})
    with pytest.raises(ValueError, match="TRANSCRIPTION_TIMEOUT"):
        AISettings.from_env({"TRANSCRIPTION_TIMEOUT": "soon"})


def _settings(fake, **extra):
    return AISettings(
        transcription_base_url=fake.base_url,
        transcription_model=fake.transcription_model,
        transcription_api_key="stt-key",
        max_retries=0,
        **extra,
    )


def test_segments_come_back_with_their_times(fake_openai, tmp_path):
    audio = tmp_path / "talk.mp3"
    audio.write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(200))
    fake_openai.transcript = [(0.0, 4.2, " First sentence."), (4.2, 9.0, "Second one.")]
    segments = transcribe(audio, filename="Week 3.mp3", settings=_settings(fake_openai))
    assert segments == [Segment(0.0, 4.2, "First sentence."), Segment(4.2, 9.0, "Second one.")]
    (request,) = fake_openai.transcription_requests
    assert request.headers["Authorization"] == "Bearer stt-key"
    assert request["response_format"] == "verbose_json" and request.files["file"][0] == "Week 3.mp3"


def test_errors_say_what_happened(fake_openai, tmp_path):
    audio = tmp_path / "talk.wav"
    audio.write_bytes(b"RIFF\x24\x00\x00\x00WAVE" + bytes(100))
    with pytest.raises(TranscriptionNotConfigured) as info:
        transcribe(audio, settings=AISettings())
    assert "TRANSCRIPTION_MODEL" in str(info.value)
    fake_openai.fail_next(1, status=503)
    with pytest.raises(TranscriptionUnavailable) as info:
        transcribe(audio, settings=_settings(fake_openai))
    assert "Retry" in str(info.value)
    fake_openai.fail_next(1, status=413)
    with pytest.raises(TranscriptionFailed) as info:
        transcribe(audio, settings=_settings(fake_openai))
    assert str(info.value).startswith("The transcription service could not transcribe this recording (HTTP 413")


def test_a_server_that_ignores_verbose_json_still_gives_the_text(fake_openai, tmp_path, monkeypatch):
    from tests.fake_openai import server

    audio = tmp_path / "talk.wav"
    audio.write_bytes(b"RIFF\x24\x00\x00\x00WAVE" + bytes(100))
    fake_openai.transcript = [(0.0, 2.0, "Only text.")]
    original = server._Handler._transcription

    def plain_json(self, body, files):
        return original(self, {**body, "response_format": "json"}, files)

    monkeypatch.setattr(server._Handler, "_transcription", plain_json)
    assert transcribe(audio, settings=_settings(fake_openai)) == [Segment(0.0, 0.0, "Only text.")]
