"""The audit log also covers the admin API: every state-changing request to /api/v1/admin/ that succeeded.

Why: administrators can act without the console (curl with a bearer credential); "every admin action" must be in
the audit log whichever door it came through. An ASGI wrapper sees the request and its final status without
touching the API's routes; the actor is `api:` plus the first 12 hex digits of the credential's SHA-256 (the
credential itself is never stored), the target the path and query. Runs on the event loop; the write goes to a
worker thread after the response has been sent.
"""
from __future__ import annotations

import hashlib
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.central.admin import audit

PREFIX = "/api/v1/admin/"


class AdminApiAudit:
    def __init__(self, app: ASGIApp, ctx: Any) -> None:
        self.app = app
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS") \
                or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        if 200 <= status < 300:
            await run_in_threadpool(self._record, scope, status)

    def _record(self, scope: Scope, status: int) -> None:
        headers = dict(scope.get("headers") or [])
        credential = headers.get(b"authorization", b"")[7:]
        actor = "api:" + hashlib.sha256(credential).hexdigest()[:12]
        address = scope["client"][0] if scope.get("client") else "unknown"
        action = "api_" + scope["path"][len(PREFIX):].split("/")[0].replace("-", "_")
        query = scope.get("query_string", b"").decode("latin-1")
        target = scope["path"] + (f"?{query}" if query else "")
        with self.ctx.store.tx() as tx:
            audit.record(tx, self.ctx.now(), actor, address, f"{action}_{scope['method'].lower()}", target,
                         f"status {status}")
