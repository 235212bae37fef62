"""The central service's front door: limits and authentication checked before a request body is read.

Why: one unauthenticated 16 MiB request used to be parsed (and echoed back in a 422) before anyone asked who
sent it, stalling `/healthz` and growing memory by hundreds of megabytes. Here, in order and before the app sees
the request: a bounded number of requests in flight (503 `busy` beyond it, `/healthz` exempt); the route's body
cap (enrolment a few KB, uploads a few MB) against the declared length; the caller's credential from the headers
alone (device signature headers well-formed, clock within the window, device enrolled; or the admin bearer
credential); then the body is read up to the cap within a total deadline (413, 408) and replayed to the app.
The signature over the body itself is still checked by the app. Every refusal is a short typed JSON body that
never contains any of the input. Runs on the ASGI event loop; store look-ups go to the thread pool.
"""
from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync import auth
from sync.answers import HEADER_ANSWER_SIGNATURE, sign_answer
from sync.central.storage import registry
from sync.central.storage.store import Store

KIB, MIB = 1024, 1024 * 1024
DEFAULT_CAP = 64 * KIB  # any route not listed below (its handler authenticates itself)
STAMP = re.compile(r"-?[0-9]{1,12}")  # ASCII digits only: int() also takes '١٢٣', isdigit() also '²'
DEVICE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
NONCE = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class Route:
    """A body cap (None: the service's --max-body) and who must be recognised before the body is read."""

    method: str  # "*" for any
    path: str
    cap: int | None
    caller: str | None = None  # "device", "admin" or None (the handler decides, e.g. enrolment's token)
    prefix: bool = False

    def matches(self, method: str, path: str) -> bool:
        return (self.method in ("*", method) and
                (path.startswith(self.path) if self.prefix else path == self.path))


ROUTES: tuple[Route, ...] = (
    Route("POST", "/api/v1/enroll", 4 * KIB),
    Route("POST", "/api/v1/events", 8 * MIB, "device"),
    Route("GET", "/api/v1/files/", 0, "device", prefix=True),
    Route("POST", "/api/v1/heartbeat", 64 * KIB, "device"),
    Route("PUT", "/api/v1/admin/files/", None, "admin", prefix=True),
    Route("POST", "/api/v1/admin/import", None, "admin"),
    Route("*", "/api/v1/admin/", 16 * KIB, "admin", prefix=True),
)
EXEMPT = frozenset({"/healthz"})


def route_for(method: str, path: str) -> Route:
    return next((r for r in ROUTES if r.matches(method, path)), Route("*", path, DEFAULT_CAP))


class Refusal(Exception):
    def __init__(self, status: int, error: str, detail: str, headers: tuple[tuple[bytes, bytes], ...] = (),
                 drain: bool = False) -> None:
        super().__init__(detail)
        self.status, self.error, self.detail, self.headers = status, error, detail, headers
        self.drain = drain  # read (and drop) the body, up to the cap, before answering: see _device_known


def error_body(error: str, detail: str) -> bytes:
    """The one shape of every refusal: a type code and a short fixed sentence (never the caller's input)."""
    return json.dumps({"error": error, "detail": detail[:200]}).encode()


async def send_refusal(send: Send, refusal: Refusal) -> None:
    body = error_body(refusal.error, refusal.detail)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close"), *refusal.headers]
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RequestGuard:
    """ASGI middleware; `store` and `clock` as the app's. `admin_ok(headers)` may replace the bearer check."""

    def __init__(self, app: ASGIApp, store: Store, clock: Callable[[], float], max_body: int,
                 max_in_flight: int = 64, queue_wait_s: float = 5.0, body_deadline_s: float = 30.0,
                 admin_ok: Callable[[dict[bytes, bytes]], Awaitable[bool]] | None = None,
                 answer_key: Ed25519PrivateKey | None = None) -> None:
        self.app = app
        self.store = store
        self.clock = clock
        self.max_body = max_body
        self.max_in_flight = max_in_flight
        self.queue_wait_s = queue_wait_s
        self.body_deadline_s = body_deadline_s
        self.admin_ok = admin_ok or self._bearer_ok
        self._slots: asyncio.Semaphore | None = None
        self.answer_key = answer_key  # signs every answer to a device request (sync/answers.py)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_in_flight)
        try:
            await asyncio.wait_for(self._slots.acquire(), self.queue_wait_s)
        except (asyncio.TimeoutError, TimeoutError):
            await send_refusal(send, Refusal(503, "busy", "too many requests in progress; retry later",
                                             ((b"retry-after", b"2"),)))
            return
        try:
            await self._guarded(scope, receive, send)
        finally:
            self._slots.release()

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = route_for(scope["method"], scope["path"])
        nonce = dict(scope.get("headers") or []).get(auth.HEADER_NONCE.lower().encode(), b"").decode("latin-1")
        if self.answer_key is not None and route.caller == "device" and NONCE.fullmatch(nonce):
            send = _SigningSender(send, self.answer_key, scope, nonce)
        cap = self.max_body if route.cap is None else min(route.cap, self.max_body)
        headers = dict(scope.get("headers") or [])
        try:
            declared = headers.get(b"content-length")
            if declared is not None and (not declared.isdigit() or len(declared) > 15 or int(declared) > cap):
                raise Refusal(413, "too_large", f"request body over the {cap}-byte limit of this route")
            if route.caller == "device":
                await self._device_known(headers)
            elif route.caller == "admin" and not await self.admin_ok(headers):
                raise Refusal(401, "unauthenticated", "admin credential required",
                              ((b"www-authenticate", b"Bearer"),))
            body = await self._read_body(receive, cap)
        except Refusal as refusal:
            if refusal.drain:
                try:
                    await self._read_body(receive, cap)
                except Refusal:
                    pass  # over the cap or too slow: answer anyway
            await send_refusal(send, refusal)
            return
        if body is None:
            return  # the client went away
        await self.app(scope, replaying(body, receive), send)

    async def _read_body(self, receive: Receive, cap: int) -> bytes | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.body_deadline_s
        chunks: list[bytes] = []
        seen = 0
        while True:
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except (asyncio.TimeoutError, TimeoutError):
                raise Refusal(408, "timeout", "request body not received in time") from None
            if message["type"] != "http.request":
                return None
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > cap:
                raise Refusal(413, "too_large", f"request body over the {cap}-byte limit of this route")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _device_known(self, headers: dict[bytes, bytes]) -> None:
        """The signature headers are well-formed, the time is within the window and the device is enrolled."""
        def text(name: str) -> str:
            return headers.get(name.lower().encode(), b"").decode("latin-1")
        device_id, stamp, nonce = text(auth.HEADER_DEVICE), text(auth.HEADER_TIME), text(auth.HEADER_NONCE)
        signature = text(auth.HEADER_SIGNATURE)
        if not (DEVICE.fullmatch(device_id) and STAMP.fullmatch(stamp) and NONCE.fullmatch(nonce)
                and 0 < len(signature) <= 128):
            raise Refusal(401, "unauthenticated", "device signature headers required")

        def enrolled() -> bool:
            with self.store.tx() as tx:
                return registry.device_public_key(tx, device_id) is not None
        if not await run_in_threadpool(enrolled):
            raise Refusal(401, "unauthenticated", "signature invalid, device unknown or request replayed")
        server_now = int(self.clock())
        if abs(server_now - int(stamp)) > auth.MAX_SKEW_SECONDS:
            # An enrolled kiosk whose clock is off must read this answer to learn the time; answering before its
            # upload was read would close the connection on unread bytes (a TCP reset that loses the answer).
            # The body is drained within the route's cap and deadline, no more than a request in time may send.
            raise Refusal(401, "clock_skew", "clock skew",
                          ((auth.HEADER_SERVER_TIME.lower().encode(), str(server_now).encode()),), drain=True)

    async def _bearer_ok(self, headers: dict[bytes, bytes]) -> bool:
        header = headers.get(b"authorization", b"").decode("latin-1")
        credential = header[7:] if header.lower().startswith("bearer ") else ""
        if not credential or len(credential) > 256:
            return False

        def valid() -> bool:
            with self.store.tx() as tx:
                return bool(registry.admin_credential_valid(
                    tx, credential, datetime.fromtimestamp(self.clock(), timezone.utc)))
        return await run_in_threadpool(valid)


class _SigningSender:
    """Holds a device route's answer until it is complete, then sends it with the central's signature."""

    def __init__(self, send: Send, key: Ed25519PrivateKey, scope: Scope, nonce: str) -> None:
        self._send, self._key, self._nonce = send, key, nonce
        query = scope.get("query_string", b"").decode("latin-1")
        self._method, self._path = scope["method"], scope["path"] + (f"?{query}" if query else "")
        self._start: Message | None = None
        self._body: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self._start = message
            return
        if message["type"] != "http.response.body" or self._start is None:
            await self._send(message)
            return
        self._body.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = b"".join(self._body)
        signature = sign_answer(self._key, self._method, self._path, self._nonce, self._start["status"], body)
        headers = [*self._start.get("headers", []), (HEADER_ANSWER_SIGNATURE.lower().encode(), signature.encode())]
        await self._send({**self._start, "headers": headers})
        await self._send({"type": "http.response.body", "body": body})


def replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the app the whole body, already read, once, then whatever the client sends next
    (a disconnect): the app never handles a partial body."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
