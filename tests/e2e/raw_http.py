"""One HTTP/1.1 connection driven by hand, for tests of what the server does on the wire.

:class:`RawConnection` parses responses with h11's client side but lets a test send a
request's head and its body separately, so it can read an answer the server gave before
the body, then send the body, then the next request — what browsers and SDKs do on a
kept-alive connection.
"""

from __future__ import annotations

import dataclasses

import h11
import trio

READ_BYTES = 65536


@dataclasses.dataclass(frozen=True)
class RawResponse:
    """A complete response: status, lower-cased headers and body."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def closes(self) -> bool:
        """Whether the server said it closes the connection after this response."""
        return "close" in self.headers.get("connection", "").lower()


class RawConnection:
    """A client connection to ``host:port``; every wait is bounded by the caller's scope."""

    def __init__(self, stream: trio.SocketStream) -> None:
        self._stream = stream
        self._h11 = h11.Connection(h11.CLIENT)

    @classmethod
    async def open(cls, host: str, port: int) -> RawConnection:
        return cls(await trio.open_tcp_stream(host, port))

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def send_head(
        self, method: str, target: str, headers: dict[str, str] | None = None,
        *, length: int = 0,
    ) -> None:
        """Send a request's head; its body (``length`` bytes) comes from :meth:`send_body`."""
        if self._h11.our_state is h11.DONE and self._h11.their_state is h11.DONE:
            self._h11.start_next_cycle()
        fields = [("Host", "test"), *(headers or {}).items()]
        if length or method not in ("GET", "HEAD"):
            fields.append(("Content-Length", str(length)))
        request = h11.Request(method=method, target=target, headers=fields)
        await self._stream.send_all(self._h11.send(request) or b"")
        if not length:
            await self._stream.send_all(self._h11.send(h11.EndOfMessage()) or b"")

    async def send_body(self, body: bytes) -> None:
        """Send the whole body announced by :meth:`send_head` and end the request."""
        data = (self._h11.send(h11.Data(data=body)) or b"") + (
            self._h11.send(h11.EndOfMessage()) or b""
        )
        await self._stream.send_all(data)

    async def send_eof(self) -> None:
        """Close our sending side without sending the body announced (the peer sees EOF)."""
        await self._stream.send_eof()

    async def read_response(self) -> RawResponse:
        """The next complete response."""
        head: h11.Response | None = None
        body = bytearray()
        while True:
            event = self._h11.next_event()
            if event is h11.NEED_DATA:
                self._h11.receive_data(await self._stream.receive_some(READ_BYTES))
            elif isinstance(event, h11.Response):
                head = event
            elif isinstance(event, h11.Data):
                body.extend(event.data)
            elif isinstance(event, h11.EndOfMessage):
                assert head is not None
                headers = {
                    name.decode().lower(): value.decode() for name, value in head.headers
                }
                return RawResponse(head.status_code, headers, bytes(body))
            elif isinstance(event, h11.ConnectionClosed):
                raise AssertionError("the server closed the connection without an answer")

    async def read_until_closed(self) -> bytes:
        """Whatever the server still sends until it closes the connection."""
        rest = bytearray()
        while chunk := await self._stream.receive_some(READ_BYTES):
            rest.extend(chunk)
        return bytes(rest)

    async def request(
        self, method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> RawResponse:
        """Send a whole request, then read its response."""
        await self.send_head(method, target, headers, length=len(body))
        if body:
            await self.send_body(body)
        return await self.read_response()
