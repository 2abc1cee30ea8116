"""A minimal blocking websocket client (RFC 6455 handshake, unmasked server text frames) for tests against a real
server process, where Channels' in-process communicator does not reach."""

import base64
import os
import socket
import struct
from urllib.parse import urlsplit


class RawWebsocket:
    def __init__(self, base_url: str, path: str, cookie: str = "", timeout: float = 10):
        url = urlsplit(base_url)
        self.sock = socket.create_connection((url.hostname, url.port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: {base_url}\r\n"
            + (f"Cookie: {cookie}\r\n" if cookie else "")
            + "\r\n"
        )
        self.sock.sendall(request.encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        self.status = int(head.split(b" ", 2)[1]) if head else 0

    def _read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the socket")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        """A client frame: FIN set, masked as RFC 6455 requires (payloads under 126 bytes: control frames)."""
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)

    def receive_text(self) -> str:
        """The next text frame (a ping is answered as a browser does, so the server keeps the socket open; other
        control frames are skipped; a close frame raises)."""
        while True:
            first, second = self._read(2)
            opcode, length = first & 0x0F, second & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", self._read(2))
            elif length == 127:
                (length,) = struct.unpack("!Q", self._read(8))
            payload = self._read(length)
            if opcode == 0x8:
                raise ConnectionError(f"closed by the server: {payload[:2].hex()}")
            if opcode == 0x9:
                self._send_frame(0xA, payload)
            if opcode == 0x1:
                return payload.decode()

    def close(self) -> None:
        self.sock.close()
