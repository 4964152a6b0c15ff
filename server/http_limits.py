"""Requests too long to read answered in the one JSON error shape, not uvicorn's plain text.

uvicorn answers a request line or header block its parser refuses with a plain-text
``400 Invalid HTTP request received.``, before the app sees the request (httptools cannot parse
a URL over 64 KiB at all). This protocol is uvicorn's httptools protocol with limits of its
own: a URL over ``MAX_URL_BYTES`` is 414 and header lines over ``MAX_HEADER_BYTES`` in all are
431, both found while the request arrives (nothing longer is kept), and any other request the
parser refuses is a 400, each as ``{"error": {"status", "code", "message"}}``.
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

#: Longest request target read (httptools' URL parser stops at 64 KiB).
MAX_URL_BYTES = 60 * 1024
#: Most bytes of header names and values read in one request.
MAX_HEADER_BYTES = 64 * 1024

#: How long the rest of a refused request is read and dropped before the connection closes.
_DRAIN_SECONDS = 5.0

_REASONS = {400: b"Bad Request", 414: b"URI Too Long", 431: b"Request Header Fields Too Large"}


class RequestTooLong(Exception):
    """The request line or headers passed a limit: the status and message to answer with."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, refusing over-long requests in the JSON error shape."""

    _refusal: RequestTooLong | None = None
    _header_bytes = 0
    _draining = False

    def data_received(self, data: bytes) -> None:
        if self._draining:
            return  # the rest of a refused request: read, so the answer is not reset
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_bytes = 0

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > MAX_URL_BYTES:
            self._refuse(
                RequestTooLong(
                    414,
                    "uri-too-long",
                    f"the URL is over {MAX_URL_BYTES} bytes; send a long query in the body"
                    " (POST /sparql with Content-Type: application/sparql-query)",
                )
            )

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_bytes += len(name) + len(value)
        if self._header_bytes > MAX_HEADER_BYTES:
            self._refuse(
                RequestTooLong(
                    431,
                    "headers-too-large",
                    f"the request's headers are over {MAX_HEADER_BYTES} bytes in all",
                )
            )
        super().on_header(name, value)

    def _refuse(self, refusal: RequestTooLong) -> None:
        # Raising from a callback makes the parser stop: data_received answers with
        # send_400_response, which answers with this refusal.
        self._refusal = refusal
        raise refusal

    def send_400_response(self, msg: str) -> None:
        refusal = self._refusal or RequestTooLong(
            400, "bad-request", "the request is not valid HTTP/1.1"
        )
        body = json.dumps(
            {
                "error": {
                    "status": refusal.status,
                    "code": refusal.code,
                    "message": refusal.message,
                }
            }
        ).encode()
        head = [b"HTTP/1.1 %d %s\r\n" % (refusal.status, _REASONS[refusal.status])]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: application/json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        # Closing with the rest of the request unread would reset the connection, and the
        # client could lose the answer: end our side, read and drop what still comes, and
        # close once the client has closed or after a few seconds.
        if self.transport.can_write_eof():
            self._draining = True
            self.transport.write_eof()
            self.loop.call_later(_DRAIN_SECONDS, self.transport.close)
        else:
            self.transport.close()
