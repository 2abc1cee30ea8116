"""uvicorn's HTTP protocol with a bound on the request head, and a 414 for an over-long address.

httptools (uvicorn's parser) keeps a header line in memory however long it grows (a 100 MB header took a
worker ~200 MB) and refuses an address over 64 KiB with a bare "400 Invalid HTTP request". This protocol
answers a request line and headers over ``MAX_HEAD_BYTES`` with 414 (when the address is what is long; JSON
under /api/ like every API error) or 431, and an address the parser cannot take with the same 414. Shorter
query strings reach Django, where ``apps.core.hygiene`` refuses more than 8 KiB with 414 too. Request bodies
are bounded by ``apps.core.body_limit``. smartnotes/serve.py starts uvicorn with this protocol.
"""

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from smartnotes.head_refusal import head_refusal

MAX_HEAD_BYTES = 64 * 1024
_LONG_URL_BYTES = 8 * 1024
_DRAIN_SECONDS = 5


def refusal(url: bytes) -> bytes:
    """The whole HTTP response for a request whose head is refused, given the address read so far."""
    return head_refusal(long_address=len(url) >= _LONG_URL_BYTES, api=url.startswith(b"/api/"))


class HttpProtocol(HttpToolsProtocol):
    def connection_made(self, transport) -> None:
        self._head_bytes = 0
        self._in_head = True
        self._refused = False
        self.url = b""
        super().connection_made(transport)

    def on_message_begin(self) -> None:
        self._in_head = True
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_bytes = 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_head = True  # the next request on this connection starts with its head
        super().on_message_complete()

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        counting = self._in_head
        super().data_received(data)
        # Counted after parsing: a read may hold the end of a head and the start of its body.
        if counting and self._in_head and not self.transport.is_closing():
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._refuse()

    def send_400_response(self, msg: str) -> None:
        if len(self.url) >= _LONG_URL_BYTES:  # httptools cannot parse an address over 64 KiB
            self._refuse()
        else:
            super().send_400_response(msg)

    def _refuse(self) -> None:
        self.logger.warning("Request head too long (%d bytes of address); refused.", len(self.url))
        self._refused = True
        self.transport.write(refusal(self.url))
        # Closing while the client still sends its head would reset the connection and lose the reply: stop
        # writing, swallow what still arrives, and close a few seconds later if the client has not.
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(_DRAIN_SECONDS, self.transport.close)
