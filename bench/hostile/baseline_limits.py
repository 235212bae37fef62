"""The baseline of `python -m bench hostile`: the central's first request size limit (before the front door,
sync/central/door/guard.py), kept here to be measured beside it; not part of the service.

A request size limit for the central service, enforced before any body reaches a handler.

Why: a kiosk or an attacker must not be able to make the service buffer an unbounded body. The declared
Content-Length is checked first; a body without one (chunked) is read up to the limit before the app sees it,
then replayed to it, so the app never handles a partial body. Runs on the ASGI event loop.
"""
from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from sync.central.door.guard import replaying


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await _too_large(send)
            return
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # client went away
                return
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max_body:
                await _too_large(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, replaying(b"".join(chunks), receive), send)


async def _too_large(send: Send) -> None:
    body = b'{"detail":"request body too large"}'
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
