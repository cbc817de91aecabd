"""Request size limits, enforced before a route reads the body.

A declared ``Content-Length`` over the limit is answered 413 at once; a body sent without one
(chunked) is counted as it arrives and refused as soon as it passes the limit, so an oversized
upload is never held whole in memory or on disk. A pure ASGI middleware (not Starlette's
``BaseHTTPMiddleware``, which would copy every response through a stream), and requests without a
chunked body pass straight through.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from secgraph.api.problems import PROBLEM_JSON, problem_body


def too_large_detail(limit: int) -> str:
    return (
        f"the request body is larger than {limit // 1024} KiB; send a smaller one "
        f"/ 要求の本文が上限（{limit // 1024} KiB）を超えています"
    )


class BodyTooLarge(HTTPException):
    """Raised from ``receive``: an HTTPException, so that FastAPI's body parsing passes it on as a
    413 instead of turning it into a 400."""

    def __init__(self, limit: int):
        super().__init__(status_code=413, detail=too_large_detail(limit))


class BodyLimitMiddleware:
    def __init__(
        self, app: ASGIApp, default_limit: int, upload_limit: int, upload_prefix: str | tuple[str, ...] = "/imports"
    ):
        self.app = app
        self.default_limit = default_limit
        self.upload_limit = upload_limit
        self.upload_prefix = upload_prefix

    def _limit(self, path: str) -> int:
        return self.upload_limit if path.startswith(self.upload_prefix) else self.default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        limit = self._limit(path)
        declared: bytes | None = None
        chunked = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value
            elif name == b"transfer-encoding":
                chunked = True
        if declared is not None:
            try:
                too_large = int(declared) > limit
            except ValueError:
                too_large = False  # the server answers a malformed header itself
            if too_large:
                await self._refuse(send, path, limit)
                return
        if not chunked:
            # No body, or one whose declared length is within the limit (the HTTP server reads no more
            # than it declares): nothing to count, so the request goes on without wrappers, which every
            # request would otherwise pay for on its way in and out.
            await self.app(scope, receive, send)
            return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send, path, limit)

    @staticmethod
    async def _refuse(send: Send, path: str, limit: int) -> None:
        body = json.dumps(problem_body(413, too_large_detail(limit), path), ensure_ascii=False).encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
