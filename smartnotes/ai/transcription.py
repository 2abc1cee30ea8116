"""Speech to text through an OpenAI-compatible ``/audio/transcriptions`` endpoint (OpenAI's whisper-1, or a
local faster-whisper / whisper.cpp / vLLM server), asked for ``verbose_json`` so the text comes in timed
segments. Configured by TRANSCRIPTION_MODEL, TRANSCRIPTION_BASE_URL (default: the chat endpoint's),
TRANSCRIPTION_API_KEY and TRANSCRIPTION_TIMEOUT (see ``config.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .clients import get_client, translate_error
from .config import AISettings, get_settings
from .errors import AINotConfigured, AIResponseError, AIUnavailable
from .reporting import reported

NOT_CONFIGURED_MESSAGE = (
    "Recordings are transcribed by a speech-to-text service, and none is configured on this server. An "
    "administrator must set TRANSCRIPTION_MODEL (and TRANSCRIPTION_BASE_URL when the chat endpoint does not "
    "transcribe). Meanwhile you can upload the lecture's subtitles (.srt or .vtt) instead."
)


class TranscriptionNotConfigured(AINotConfigured):
    default_message = NOT_CONFIGURED_MESSAGE


class TranscriptionUnavailable(AIUnavailable):
    default_message = "The transcription service is not reachable right now. Press Retry in a few minutes."


class TranscriptionFailed(AIResponseError):
    default_message = "The transcription service could not transcribe this recording."


@dataclass(frozen=True)
class Segment:
    start: float  # seconds from the start of the recording
    end: float
    text: str


def transcription_configured(settings: AISettings | None = None) -> bool:
    return (settings or get_settings()).transcription_configured


@reported("transcription")
def transcribe(path, *, filename: str | None = None, settings: AISettings | None = None) -> list[Segment]:
    """The timed segments of the speech in the audio or video file at ``path``.

    Raises ``TranscriptionNotConfigured``, ``TranscriptionUnavailable`` (endpoint down or timing out, after
    the client's retries) or ``TranscriptionFailed`` (the endpoint refused the file or answered nonsense).
    """
    s = settings or get_settings()
    if not s.transcription_configured:
        raise TranscriptionNotConfigured()
    path = Path(path)
    client = get_client(s, "transcription")
    try:
        with open(path, "rb") as fh:
            response = client.audio.transcriptions.create(
                model=s.transcription_model, file=(filename or path.name, fh), response_format="verbose_json"
            )
    except Exception as exc:
        error = translate_error(exc, what="transcription")
        if isinstance(error, AIUnavailable):
            raise TranscriptionUnavailable(detail=error.detail, status_code=error.status_code) from exc
        reason = f" ({error.detail.removeprefix('transcription: ')[:200]})" if error.detail else ""
        message = f"{TranscriptionFailed.default_message.removesuffix('.')}{reason}."
        raise TranscriptionFailed(message, detail=error.detail, status_code=error.status_code) from exc
    return _segments(response)


def _field(item, name: str):
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def _segments(response) -> list[Segment]:
    raw = _field(response, "segments")
    if raw is None:
        # A server that ignores verbose_json answers {"text": ...}: one segment over the whole recording.
        text = _field(response, "text")
        if not isinstance(text, str):
            raise TranscriptionFailed(detail=f"transcription: no segments and no text in {type(response).__name__}")
        duration = _number(_field(response, "duration"), 0.0)
        return [Segment(0.0, duration, text.strip())] if text.strip() else []
    segments = []
    for item in raw:
        text = _field(item, "text")
        start = _number(_field(item, "start"), None)
        end = _number(_field(item, "end"), start)
        if not isinstance(text, str) or start is None:
            raise TranscriptionFailed(detail=f"transcription: malformed segment {item!r}"[:300])
        if text.strip():
            segments.append(Segment(max(0.0, start), max(start, end or start), text.strip()))
    return segments


def _number(value, default):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if number == number and number not in (float("inf"), float("-inf")) else default
