"""The one answer both servers give to a request head they will not read: 414 for an over-long address (JSON
under /api/ like every API error), 431 for over-long headers; the connection is closed after it."""

import json

_PLAIN = "The address is too long. Shorten it (or the search in it) and try again.\n"
_API = {"detail": "The address is too long. Shorten the query string and try again.", "code": "uri_too_long"}
_HEADER = "The request headers are too long.\n"


def head_refusal(*, long_address: bool, api: bool) -> bytes:
    """The whole HTTP response, status line to body."""
    if long_address:
        status = "414 URI Too Long"
        if api:
            content_type, body = "application/json", json.dumps(_API)
        else:
            content_type, body = "text/plain; charset=utf-8", _PLAIN
    else:
        status, content_type, body = "431 Request Header Fields Too Large", "text/plain; charset=utf-8", _HEADER
    payload = body.encode()
    head = (
        f"HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {len(payload)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode() + payload
