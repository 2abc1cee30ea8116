"""A fake OpenAI-compatible HTTP server for tests.

A real HTTP/1.1 server (``http.server.ThreadingHTTPServer`` in a background thread) on 127.0.0.1 with a
free port, so the real ``openai`` client code runs end to end. Endpoints:

* ``POST /v1/chat/completions`` -- JSON, or with ``"stream": true`` Server-Sent Events in OpenAI's chunk
  format (``data: {chunk}\\n\\n`` ... ``data: [DONE]\\n\\n``), one chunk per word-sized token;
  ``stream_options.include_usage`` is honoured.
* ``POST /v1/embeddings`` -- deterministic unit vectors (float list or base64 float32, as asked). Each
  word of the text contributes a fixed pseudo-random vector derived from a hash of the word, plus a small
  component from a hash of the whole text: identical texts get identical vectors, texts sharing words are
  similar, different texts never collide.
* ``POST /v1/audio/transcriptions`` -- multipart/form-data with ``file`` and ``model`` (as the ``openai``
  client sends it); answers ``verbose_json`` (segments with start/end times), ``json`` or ``text``. The
  transcript is ``transcript`` (below); the uploaded file is kept in the record's ``files``.
* ``GET /v1/models`` -- the configured model names.

Behaviour knobs (set them in the test; all thread-safe to set between requests):

* ``reply``: ``None`` (default: ``"ECHO: " + <last user message>``), a string, or a callable
  ``(messages) -> str``.
* ``delay_s``: seconds to wait before the first byte of every response.
* ``token_delay_s``: seconds between streamed tokens.
* ``fail_next(n, status=500)``: the next ``n`` requests (any endpoint) answer ``status`` with an OpenAI
  error body. Retryable statuses carry ``retry-after-ms: <retry_after_ms>`` (default 10 ms) so the client's
  retries do not slow the tests down; set ``retry_after_ms = None`` to get the client's normal backoff.
* ``drop_stream_after(k, times=1, clean_eof=False)``: the next streamed answer(s) stop after ``k`` content
  tokens, before ``finish_reason``/``[DONE]``; the connection is closed abruptly (truncated chunked body),
  or with ``clean_eof=True`` the body simply ends early.
* ``embedding_dim``: size of returned vectors (default 384; a request's ``dimensions`` overrides it).
* ``require_api_key``: when set, requests without ``Authorization: Bearer <key>`` get 401.
* ``transcript``: ``None`` (default: one sentence naming the file's duration, read from its WAV header when
  it is a WAV), a list of ``(start, end, text)`` segments, or a callable ``(audio_bytes, filename) -> list``.
  The fake does no speech recognition: a test sets what "was said".

Every request is recorded in ``requests`` (a ``RecordedRequest``: the parsed JSON body as a dict, or the
form fields of a multipart body, plus ``.method``, ``.path``, ``.headers``, ``.status`` and ``.files``:
``{field: (filename, content_type, bytes)}``); see also ``chat_requests``, ``transcription_requests``,
``last_messages``.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import io
import json
import re
import socket
import sys
import threading
import time
import wave
from collections.abc import Callable, Mapping
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np

DEFAULT_CHAT_MODEL = "fake-chat"
DEFAULT_GENERATION_MODEL = "fake-generation"
DEFAULT_EMBEDDING_MODEL = "fake-embedding"
DEFAULT_TRANSCRIPTION_MODEL = "fake-whisper"
DEFAULT_EMBEDDING_DIM = 384

_TOKEN_RE = re.compile(r"\s*\S+|\s+$")
_WORD_RE = re.compile(r"\w+", re.UNICODE)
_RETRYABLE = {408, 409, 429} | set(range(500, 600))

ReplyType = str | Callable[[list[dict[str, Any]]], str] | None
SegmentList = list[tuple[float, float, str]]
TranscriptType = SegmentList | Callable[[bytes, str], SegmentList] | None


class RecordedRequest(dict):
    """The JSON body of a request (empty for GET), with the request line and headers as attributes."""

    def __init__(self, method: str, path: str, headers: Mapping[str, str], body: dict[str, Any]):
        super().__init__(body)
        self.method = method
        self.path = path
        self.headers = headers
        self.status: int | None = None
        self.files: dict[str, tuple[str, str, bytes]] = {}

    @property
    def body(self) -> dict[str, Any]:
        return dict(self)

    def __repr__(self) -> str:
        return f"<RecordedRequest {self.method} {self.path} status={self.status} body={dict(self)!r}>"


def split_tokens(text: str) -> list[str]:
    """Word-sized tokens whose concatenation is exactly ``text`` (leading spaces stay with each word)."""
    return _TOKEN_RE.findall(text)


def message_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def parse_multipart(content_type: str, raw: bytes) -> tuple[dict[str, str], dict[str, tuple[str, str, bytes]]]:
    """The fields and files of a multipart/form-data body (``email``'s MIME parser: the same grammar)."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
    )
    if not message.is_multipart():
        raise ValueError("not a multipart body")
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        data = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = (filename, part.get_content_type(), data)
        else:
            fields[name] = data.decode("utf-8")
    return fields, files


def wav_duration(data: bytes) -> float | None:
    """Seconds of audio in a WAV file, or None when ``data`` is not a readable WAV."""
    try:
        with wave.open(io.BytesIO(data)) as wav:
            return wav.getnframes() / float(wav.getframerate())
    except (wave.Error, EOFError, ZeroDivisionError):
        return None


def default_transcript(data: bytes, filename: str) -> SegmentList:
    duration = wav_duration(data)
    if duration is None:
        return [(0.0, 1.0, f"This is the fake transcript of {filename}.")]
    return [(0.0, round(duration, 3), f"This is the fake transcript of a {duration:.1f} second recording.")]


def echo_reply(messages: list[dict[str, Any]]) -> str:
    """The default reply: ``"ECHO: "`` + the content of the last user message."""
    for message in reversed(messages):
        if message.get("role") == "user":
            return "ECHO: " + message_text(message)
    return "ECHO: "


@lru_cache(maxsize=65536)
def _hash_vector(key: str, dim: int) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "little")
    vector = np.random.default_rng(seed).standard_normal(dim)
    vector /= np.linalg.norm(vector)
    vector.setflags(write=False)
    return vector


def fake_embedding(text: str, dim: int = DEFAULT_EMBEDDING_DIM) -> np.ndarray:
    """Deterministic unit vector (float32) for ``text``: a bag of hashed words plus a whole-text hash."""
    words = _WORD_RE.findall(text.lower())
    vector = 0.25 * _hash_vector("text:" + text, dim)
    for word in words:
        vector = vector + _hash_vector("word:" + word, dim)
    vector = vector / np.linalg.norm(vector)
    return vector.astype(np.float32)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeOpenAI/1.0"
    timeout = 30  # idle keep-alive connections end eventually
    # Headers and body go out in separate writes; without this each reply waits for a delayed ACK (~40 ms).
    disable_nagle_algorithm = True
    server: _HTTPServer

    # -- plumbing -------------------------------------------------------------------------------

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence the access log
        pass

    def setup(self) -> None:
        super().setup()
        self.server.fake._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        self.server.fake._track(self.connection, add=False)

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _send_error(self, status: int, message: str, err_type: str = "invalid_request_error") -> None:
        headers = {}
        fake = self.server.fake
        if status in _RETRYABLE and fake.retry_after_ms is not None:
            headers["retry-after-ms"] = str(fake.retry_after_ms)
        self._send_json(status, {"error": {"message": message, "type": err_type, "param": None, "code": None}}, headers)

    def _read_body(self) -> tuple[dict[str, Any] | None, str | None]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return {}, None
        content_type = self.headers.get("Content-Type") or ""
        if content_type.lower().startswith("multipart/form-data"):
            try:
                fields, self._files = parse_multipart(content_type, raw)
            except (ValueError, LookupError) as exc:
                return None, f"invalid multipart body: {exc}"
            return dict(fields), None
        try:
            body = json.loads(raw)
        except ValueError as exc:
            return None, f"invalid JSON body: {exc}"
        if not isinstance(body, dict):
            return None, "the JSON body must be an object"
        return body, None

    # -- dispatch -------------------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def _handle(self, method: str) -> None:
        fake = self.server.fake
        self._files: dict[str, tuple[str, str, bytes]] = {}
        body, problem = self._read_body() if method == "POST" else ({}, None)
        record = RecordedRequest(method, self.path, self.headers, body or {})  # headers: case-insensitive
        record.files = self._files
        self._current = record
        fake._record(record)
        try:
            self._route(method, body, problem, record)
        except OSError:  # the client went away (or we cut the connection on purpose)
            self.close_connection = True
        finally:
            self._current = None

    def send_response(self, code: int, message: str | None = None) -> None:
        # Record the status before the client can see it, so tests may read it as soon as a call returns.
        current = getattr(self, "_current", None)
        if current is not None:
            current.status = code
        super().send_response(code, message)

    def _route(self, method: str, body: dict | None, problem: str | None, record: RecordedRequest) -> int:
        fake = self.server.fake
        if fake.delay_s > 0:
            time.sleep(fake.delay_s)
        forced = fake._take_failure()
        if forced is not None:
            self._send_error(forced, f"fake failure (HTTP {forced})", "server_error")
            return forced
        expected_key = fake.require_api_key
        if expected_key is not None and self.headers.get("Authorization") != f"Bearer {expected_key}":
            self._send_error(401, "Incorrect API key provided.", "invalid_api_key")
            return 401
        path = self.path.split("?", 1)[0].rstrip("/")
        if path.startswith("/v1/"):
            path = path[3:]
        if problem is not None:
            self._send_error(400, problem)
            return 400
        if method == "GET" and path == "/models":
            self._send_json(
                200,
                {
                    "object": "list",
                    "data": [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in fake.model_names],
                },
            )
            return 200
        if method == "POST" and path == "/chat/completions":
            return self._chat(body or {})
        if method == "POST" and path == "/embeddings":
            return self._embeddings(body or {})
        if method == "POST" and path == "/audio/transcriptions":
            return self._transcription(body or {}, record.files)
        self._send_error(404, f"Unknown request URL: {method} {self.path}")
        return 404

    # -- chat -----------------------------------------------------------------------------------

    def _chat(self, body: dict[str, Any]) -> int:
        fake = self.server.fake
        messages = body.get("messages")
        model = body.get("model")
        if not isinstance(model, str) or not model:
            self._send_error(400, "you must provide a model parameter")
            return 400
        if not isinstance(messages, list) or not messages:
            self._send_error(400, "'messages' must be a non-empty array")
            return 400
        reply = fake._reply_for(messages)
        completion_id = f"chatcmpl-fake{fake._next_id()}"
        created = int(time.time())
        prompt_tokens = sum(len(message_text(m).split()) for m in messages if isinstance(m, dict))
        tokens = split_tokens(reply)
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(tokens),
            "total_tokens": prompt_tokens + len(tokens),
        }
        if not body.get("stream"):
            self._send_json(
                200,
                {
                    "id": completion_id,
                    "object": "chat.completion",
                    "created": created,
                    "model": model,
                    "system_fingerprint": "fp_fake",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": reply, "refusal": None},
                            "logprobs": None,
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": usage,
                },
            )
            return 200
        return self._stream_chat(body, completion_id, created, model, tokens, usage)

    def _stream_chat(
        self,
        body: dict[str, Any],
        completion_id: str,
        created: int,
        model: str,
        tokens: list[str],
        usage: dict[str, int],
    ) -> int:
        fake = self.server.fake
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        drop = fake._take_drop()

        def chunk(delta: dict[str, Any], finish_reason: str | None) -> dict[str, Any]:
            payload: dict[str, Any] = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "system_fingerprint": "fp_fake",
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
            }
            if include_usage:
                payload["usage"] = None
            return payload

        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self._write_event(chunk({"role": "assistant", "content": "", "refusal": None}, None))
        for i, token in enumerate(tokens):
            if drop is not None and i >= drop[0]:
                break
            if fake.token_delay_s > 0 and i > 0:
                time.sleep(fake.token_delay_s)
            self._write_event(chunk({"content": token}, None))
        if drop is not None:  # cut before finish_reason and [DONE]
            if drop[1]:
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
                self.close_connection = True
            else:
                self._drop_connection()
            return 200
        self._write_event(chunk({}, "stop"))
        if include_usage:
            self._write_event(
                {
                    "id": completion_id,
                    "object": "chat.completion.chunk",
                    "created": created,
                    "model": model,
                    "system_fingerprint": "fp_fake",
                    "choices": [],
                    "usage": usage,
                }
            )
        self._write_raw(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")  # end of the chunked body
        self.wfile.flush()
        return 200

    def _write_event(self, payload: dict[str, Any]) -> None:
        self._write_raw(b"data: " + json.dumps(payload).encode("utf-8") + b"\n\n")

    def _write_raw(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode("ascii") + data + b"\r\n")
        self.wfile.flush()

    def _drop_connection(self) -> None:
        """Close the socket without ending the chunked body, as a crashing server would."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # -- embeddings -----------------------------------------------------------------------------

    def _embeddings(self, body: dict[str, Any]) -> int:
        fake = self.server.fake
        model = body.get("model")
        raw_input = body.get("input")
        if not isinstance(model, str) or not model:
            self._send_error(400, "you must provide a model parameter")
            return 400
        if isinstance(raw_input, str):
            inputs: list[Any] = [raw_input]
        elif isinstance(raw_input, list) and raw_input:
            # A flat list of ints is one text given as token ids.
            inputs = [raw_input] if all(isinstance(x, int) for x in raw_input) else raw_input
        else:
            self._send_error(400, "'input' must be a string or a non-empty array")
            return 400
        texts: list[str] = []
        for item in inputs:
            if isinstance(item, str):
                if item == "":
                    self._send_error(400, "'$.input' is invalid: empty strings are not allowed")
                    return 400
                texts.append(item)
            elif isinstance(item, list) and all(isinstance(x, int) for x in item):
                texts.append("tokens:" + ",".join(map(str, item)))
            else:
                self._send_error(400, "'input' items must be strings or arrays of token ids")
                return 400
        dim = body.get("dimensions") or fake.embedding_dim
        encoding = body.get("encoding_format") or "float"
        data = []
        for index, text in enumerate(texts):
            vector = fake_embedding(text, int(dim))
            if encoding == "base64":
                value: Any = base64.b64encode(vector.astype("<f4").tobytes()).decode("ascii")
            else:
                value = vector.tolist()
            data.append({"object": "embedding", "index": index, "embedding": value})
        n_tokens = sum(len(t.split()) for t in texts)
        self._send_json(
            200,
            {
                "object": "list",
                "data": data,
                "model": model,
                "usage": {"prompt_tokens": n_tokens, "total_tokens": n_tokens},
            },
        )
        return 200

    # -- transcriptions -------------------------------------------------------------------------

    def _transcription(self, body: dict[str, Any], files: dict[str, tuple[str, str, bytes]]) -> int:
        fake = self.server.fake
        if not body.get("model"):
            self._send_error(400, "you must provide a model parameter")
            return 400
        if "file" not in files or not files["file"][2]:
            self._send_error(400, "you must provide a file")
            return 400
        filename, _, data = files["file"]
        segments = fake._transcript_for(data, filename)
        text = " ".join(t.strip() for _, _, t in segments)
        response_format = body.get("response_format") or "json"
        if response_format == "text":
            payload = text.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return 200
        if response_format != "verbose_json":
            self._send_json(200, {"text": text})
            return 200
        duration = wav_duration(data)
        self._send_json(
            200,
            {
                "task": "transcribe",
                "language": "english",
                "duration": duration if duration is not None else (segments[-1][1] if segments else 0.0),
                "text": text,
                "segments": [
                    {
                        "id": i, "seek": 0, "start": start, "end": end, "text": " " + seg_text.strip(),
                        "tokens": [], "temperature": 0.0, "avg_logprob": -0.2, "compression_ratio": 1.2,
                        "no_speech_prob": 0.01,
                    }
                    for i, (start, end, seg_text) in enumerate(segments)
                ],
            },
        )  # fmt: skip
        return 200


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    fake: FakeOpenAIServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients closing keep-alive connections (or tests cutting streams) are normal here.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class FakeOpenAIServer:
    """See the module docstring. Use as a context manager or call ``start()``/``stop()``."""

    def __init__(
        self,
        *,
        chat_model: str = DEFAULT_CHAT_MODEL,
        generation_model: str = DEFAULT_GENERATION_MODEL,
        embedding_model: str = DEFAULT_EMBEDDING_MODEL,
        transcription_model: str = DEFAULT_TRANSCRIPTION_MODEL,
        host: str = "127.0.0.1",
    ):
        self.host = host
        self.chat_model = chat_model
        self.generation_model = generation_model
        self.embedding_model = embedding_model
        self.transcription_model = transcription_model
        self.reply: ReplyType = None
        self.delay_s: float = 0.0
        self.token_delay_s: float = 0.0
        self.embedding_dim: int = DEFAULT_EMBEDDING_DIM
        self.retry_after_ms: int | None = 10
        self.require_api_key: str | None = None
        self.transcript: TranscriptType = None
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._failures: list[int] = []
        self._drops: list[tuple[int, bool]] = []
        self._ids = 0
        self._connections: set[socket.socket] = set()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> FakeOpenAIServer:
        if self._httpd is not None:
            return self
        httpd = _HTTPServer((self.host, 0), _Handler)
        httpd.fake = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-openai", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        with self._lock:
            connections = list(self._connections)
            self._connections.clear()
        for conn in connections:  # end keep-alive connections and streams in progress
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the fake OpenAI server is not running")
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        """e.g. ``http://127.0.0.1:54321/v1`` (what OPENAI_BASE_URL should be)."""
        return f"http://{self.host}:{self.port}/v1"

    @property
    def model_names(self) -> list[str]:
        names = [self.chat_model, self.generation_model, self.embedding_model, self.transcription_model]
        return list(dict.fromkeys(names))

    # -- test controls --------------------------------------------------------------------------

    def fail_next(self, n: int = 1, status: int = 500) -> None:
        """The next ``n`` requests answer HTTP ``status`` with an OpenAI-style error body."""
        with self._lock:
            self._failures.extend([int(status)] * n)

    def drop_stream_after(self, k: int, times: int = 1, *, clean_eof: bool = False) -> None:
        """The next ``times`` streamed answers are cut after ``k`` content tokens, before ``finish_reason``
        and ``[DONE]``: the connection is closed abruptly (truncated chunked body), or with ``clean_eof`` the
        body ends properly but early (as a proxy or an HTTP/1.0 server would)."""
        if k < 0:
            raise ValueError("k must be >= 0")
        with self._lock:
            self._drops.extend([(int(k), clean_eof)] * times)

    def reset(self) -> None:
        """Back to the defaults; forget recorded requests."""
        with self._lock:
            self.reply = None
            self.delay_s = 0.0
            self.token_delay_s = 0.0
            self.embedding_dim = DEFAULT_EMBEDDING_DIM
            self.retry_after_ms = 10
            self.require_api_key = None
            self.transcript = None
            self.requests.clear()
            self._failures.clear()
            self._drops.clear()

    # -- inspection -----------------------------------------------------------------------------

    def requests_to(self, path_suffix: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path.split("?", 1)[0].rstrip("/").endswith(path_suffix)]

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return self.requests_to("/chat/completions")

    @property
    def embedding_requests(self) -> list[RecordedRequest]:
        return self.requests_to("/embeddings")

    @property
    def transcription_requests(self) -> list[RecordedRequest]:
        return self.requests_to("/audio/transcriptions")

    @property
    def last_request(self) -> RecordedRequest | None:
        with self._lock:
            return self.requests[-1] if self.requests else None

    @property
    def last_messages(self) -> list[dict[str, Any]] | None:
        """The ``messages`` of the last chat request: the exact prompt the app built."""
        chats = self.chat_requests
        return chats[-1].get("messages") if chats else None

    # -- used by the handler --------------------------------------------------------------------

    def _record(self, record: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(record)

    def _take_failure(self) -> int | None:
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    def _take_drop(self) -> tuple[int, bool] | None:
        with self._lock:
            return self._drops.pop(0) if self._drops else None

    def _next_id(self) -> int:
        with self._lock:
            self._ids += 1
            return self._ids

    def _reply_for(self, messages: list[dict[str, Any]]) -> str:
        reply = self.reply
        if reply is None:
            return echo_reply(messages)
        if callable(reply):
            return str(reply(messages))
        return str(reply)

    def _transcript_for(self, data: bytes, filename: str) -> SegmentList:
        transcript = self.transcript
        if transcript is None:
            return default_transcript(data, filename)
        if callable(transcript):
            return list(transcript(data, filename))
        return list(transcript)

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)
