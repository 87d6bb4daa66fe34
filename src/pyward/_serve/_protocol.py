"""uvicorn's HTTP protocols with a deadline on reading a request's headers.

uvicorn closes idle keep-alive connections (``timeout_keep_alive``) but sets no deadline
on a request whose headers are still arriving: a client that sends a request line one
byte at a time (slowloris) holds a connection open for as long as it likes, and a few
hundred such clients take all the server's file descriptors (issue 12, item 13). uvicorn
has no setting for it (as of 0.55), so this wraps its two HTTP/1.1 protocols, public
classes selected by ``uvicorn.Config(http=...)``: a timer starts when a connection is
made, or when the first bytes of a next request arrive on a kept-alive one, and stops
when the request's headers are complete; when it fires the connection is closed.
"""

from __future__ import annotations

import asyncio
import importlib.util
from typing import TYPE_CHECKING, Any

from uvicorn.protocols.http.h11_impl import H11Protocol

#: Seconds a client has to send a request line and headers.
HEADER_TIMEOUT = 10.0


class _HeaderDeadline(asyncio.Protocol):
    """Mixed in before one of uvicorn's HTTP protocol classes."""

    #: Seconds a client has to send a request line and headers (subclasses change it).
    header_timeout: float = HEADER_TIMEOUT

    if TYPE_CHECKING:
        # Set by uvicorn's protocol classes.
        loop: asyncio.AbstractEventLoop
        transport: asyncio.Transport
        cycle: Any

    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._start_header_timer()

    def data_received(self, data: bytes) -> None:
        cycle = self.cycle
        if (cycle is None or cycle.response_complete) and self._header_timer is None:
            self._start_header_timer()  # the first bytes of a next request
        super().data_received(data)
        if self.cycle is not cycle:
            self._stop_header_timer()  # the headers are complete: a new request began

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)

    def _start_header_timer(self) -> None:
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_late)

    def _stop_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()


class H11HeaderDeadline(_HeaderDeadline, H11Protocol):
    """uvicorn's h11 protocol, with the header deadline."""


if importlib.util.find_spec("httptools") is not None:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class HttpToolsHeaderDeadline(_HeaderDeadline, HttpToolsProtocol):
        """uvicorn's httptools protocol, with the header deadline."""


def protocol_class() -> str:
    """What uvicorn's ``http="auto"`` picks (httptools when installed, else h11), with
    the header deadline: an import string, so that it reaches worker processes."""
    if importlib.util.find_spec("httptools") is not None:
        return f"{__name__}:HttpToolsHeaderDeadline"
    return f"{__name__}:H11HeaderDeadline"
