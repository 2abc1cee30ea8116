"""A fake OpenAI-compatible server for tests (see ``server.py``) and its pytest fixtures (``fixtures.py``)."""

from .server import FakeOpenAIServer, RecordedRequest, echo_reply, fake_embedding, split_tokens

__all__ = ["FakeOpenAIServer", "RecordedRequest", "echo_reply", "fake_embedding", "split_tokens"]
