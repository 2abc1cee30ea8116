import pytest

from smartnotes.ai import AISettings, get_settings, is_offline, reset_caches
from smartnotes.ai.config import EMBEDDING_DIMENSIONS, install_settings


def test_defaults_are_offline_with_local_embeddings():
    s = AISettings.from_env({})
    assert s.offline
    assert s.openai_base_url == ""
    assert s.openai_api_key == "not-needed"
    assert s.chat_model == "" and s.generation_model == ""
    assert s.embedding_backend == "local"
    assert s.embedding_model == "all-MiniLM-L6-v2"
    assert s.embedding_model_id == "local:all-MiniLM-L6-v2"
    assert s.embedding_dimensions == EMBEDDING_DIMENSIONS == 384
    assert s.request_timeout_s == 60
    assert s.max_retries == 2
    assert 1 <= s.embedding_threads <= 2


def test_online_needs_both_url_and_model():
    assert AISettings.from_env({"OPENAI_BASE_URL": "http://x/v1"}).offline
    assert AISettings.from_env({"CHAT_MODEL": "m"}).offline
    s = AISettings.from_env({"OPENAI_BASE_URL": "http://x/v1/", "CHAT_MODEL": "m"})
    assert not s.offline
    assert s.openai_base_url == "http://x/v1"
    assert s.generation_model == "m"  # defaults to the chat model
    assert not is_offline(s)


def test_generation_model_overrides():
    s = AISettings.from_env({"OPENAI_BASE_URL": "http://x/v1", "CHAT_MODEL": "chat", "GENERATION_MODEL": "gen"})
    assert (s.chat_model, s.generation_model) == ("chat", "gen")


def test_api_key_from_file(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("sk-secret\n")
    s = AISettings.from_env({"OPENAI_API_KEY": "ignored", "OPENAI_API_KEY_FILE": str(key_file)})
    assert s.openai_api_key == "sk-secret"
    assert "sk-secret" not in repr(s)
    assert AISettings.from_env({"OPENAI_API_KEY": "sk-env"}).openai_api_key == "sk-env"


def test_unreadable_key_file_names_the_variable(tmp_path):
    with pytest.raises(ValueError, match="OPENAI_API_KEY_FILE"):
        AISettings.from_env({"OPENAI_API_KEY_FILE": str(tmp_path / "missing")})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AI_TIMEOUT", "soon"),
        ("AI_TIMEOUT", "0"),
        ("AI_TIMEOUT", "-3"),
        ("AI_TIMEOUT", "nan"),
        ("AI_MAX_RETRIES", "two"),
        ("AI_MAX_RETRIES", "-1"),
        ("AI_MAX_RETRIES", "1.5"),
        ("EMBEDDING_THREADS", "0"),
        ("EMBEDDING_BACKEND", "gpu"),
        ("OPENAI_BASE_URL", "localhost:8000"),
        ("OPENAI_BASE_URL", "not a url"),
        ("OPENAI_BASE_URL", "ftp://x"),
        ("OPENAI_BASE_URL", "http://"),
        ("OPENAI_BASE_URL", "http://gpu-box:99999/v1"),
        ("EMBEDDING_BASE_URL", "gpu-box/v1"),
        ("TRANSCRIPTION_BASE_URL", "https:///v1"),
        ("EMBEDDING_REQUEST_DIMENSIONS", "maybe"),
    ],
)
def test_bad_values_raise_naming_the_variable(name, value):
    with pytest.raises(ValueError, match=name):
        AISettings.from_env({name: value})


def test_numeric_values_parse():
    s = AISettings.from_env({"AI_TIMEOUT": "2.5", "AI_MAX_RETRIES": "0", "EMBEDDING_THREADS": "1"})
    assert (s.request_timeout_s, s.max_retries, s.embedding_threads) == (2.5, 0, 1)


def test_remote_embeddings_config():
    s = AISettings.from_env(
        {"EMBEDDING_BACKEND": "openai", "OPENAI_BASE_URL": "http://x/v1", "EMBEDDING_MODEL": "mini"}
    )
    assert s.embedding_base_url == "http://x/v1"
    assert s.embedding_model_id == "openai:mini"
    with pytest.raises(ValueError, match="EMBEDDING_BASE_URL or OPENAI_BASE_URL"):
        AISettings.from_env({"EMBEDDING_BACKEND": "openai"})


def test_unknown_local_model_is_rejected():
    with pytest.raises(ValueError, match="EMBEDDING_MODEL"):
        AISettings.from_env({"EMBEDDING_MODEL": "text-embedding-3-small"})
    s = AISettings.from_env({"EMBEDDING_MODEL": "sentence-transformers/all-MiniLM-L6-v2"})
    assert s.embedding_model_id == "local:all-MiniLM-L6-v2"


def test_settings_are_hashable_and_cached(monkeypatch):
    monkeypatch.setenv("CHAT_MODEL", "cached-model")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://x/v1")
    reset_caches()
    try:
        first = get_settings()
        assert first is get_settings()
        assert hash(first) == hash(AISettings.from_env())
        monkeypatch.setenv("CHAT_MODEL", "other")
        assert get_settings().chat_model == "cached-model"
        reset_caches()
        assert get_settings().chat_model == "other"
    finally:
        reset_caches()


def test_module_does_not_import_django():
    import subprocess
    import sys

    code = "import sys, smartnotes.ai; assert 'django' not in sys.modules, 'django imported'"
    from pathlib import Path

    import smartnotes

    root = Path(smartnotes.__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


def test_installed_settings_are_what_get_settings_returns_until_reset(monkeypatch):
    installed = AISettings(request_timeout_s=7.5)
    monkeypatch.setenv("AI_TIMEOUT", "3")
    try:
        install_settings(installed)
        assert get_settings() is installed
        reset_caches()  # what tests do after changing the environment
        assert get_settings().request_timeout_s == 3.0
    finally:
        reset_caches()
