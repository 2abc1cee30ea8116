"""Daphne answers an over-long request line instead of dropping the connection.

Daphne parses HTTP with Twisted, whose line reader closes the connection without a word when the request line
(or one header line) exceeds 16 KiB: a browser shows a network error for a long search link. This replaces that
with a 414 (431 for a header line), JSON under /api/ like every API error, then closes. Shorter query strings
reach Django, where ``apps.core.hygiene`` refuses more than 8 KiB with the same 414.
"""

from twisted.web import http

from smartnotes.head_refusal import head_refusal

_DRAIN_SECONDS = 5


def _response(line: bytes, request_line: bool) -> bytes:
    parts = line.split(b" ", 2)
    api = request_line and len(parts) > 1 and parts[1].startswith(b"/api/")
    return head_refusal(long_address=request_line, api=api)


def _line_length_exceeded(channel: http.HTTPChannel, line: bytes) -> None:
    # Twisted's own attribute: true until the request line has been read.
    request_line = bool(getattr(channel, "_HTTPChannel__first_line", 1))
    channel.transport.write(_response(line, request_line))
    # Closing while the client still sends the rest of its line would reset the connection and lose the reply:
    # stop writing, swallow what still arrives, and close a few seconds later if the client has not.
    channel.dataReceived = lambda data: None
    channel.transport.loseWriteConnection()
    channel.setTimeout(_DRAIN_SECONDS)


def install() -> None:
    http.HTTPChannel.lineLengthExceeded = _line_length_exceeded
