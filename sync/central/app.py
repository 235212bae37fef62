"""The central reference service as a FastAPI application: enrollment, signed uploads, downloads and admin reports.

Why: kiosks need one place to send every check exactly once and to fetch trust bundles, status-list deltas and
settings; administrators need device health, daily counts and CSV. Device requests are authenticated by the
device's Ed25519 signature (timestamp window + one-time nonce); admin endpoints by a bearer credential.
Threads: FastAPI's event loop parses requests; store work runs in its worker threads (run_in_threadpool).
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from sync import auth
from sync.bundle import bundle_signature_valid
from sync.central.admin import fleet, publish as publishing
from sync.central.storage import registry
from sync.central.events.exports import csv_rows
from sync.central.events.ingest import IngestRejected, ingest
from sync.central.door.errors import ERROR_RESPONSES, install_error_handlers
from sync.central.door.answerkey import load_or_create_answer_key
from sync.central.door.guard import STAMP, RequestGuard
from sync.central.models import (NAME, Bundle, ChainFlag, DailyCount, Device, DisableRequest, EnrollRequest,
                                 EnrollResponse, EventBatch, FleetDevice, HeartbeatIn, HeartbeatOut, IngestResponse,
                                 Publication, ReenrollRequest, TokenRequest, TokenResponse)
from sync.central.storage.store import Store
from sync.devicekey import load_public_key_b64, public_key_b64
from kiosk.core.trust.bundle import RootKey

DEFAULT_MAX_BODY = 16 * 1024 * 1024
FILE_NAME = r"^[a-z0-9][a-z0-9._-]{0,63}$"
COMMON_RESPONSES: dict = ERROR_RESPONSES  # every refusal is {"error": type, "detail": short text} (door/errors.py)


class _Context:
    """What every route needs: the store, the clock, and a way to run store work off the event loop."""

    def __init__(self, store: Store, clock: Callable[[], float], roots: Sequence[RootKey] = ()) -> None:
        self.store = store
        self.clock = clock
        self.roots = tuple(roots)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), timezone.utc)

    def run(self, fn, *args):
        def work():
            with self.store.tx() as tx:
                return fn(tx, *args)
        return run_in_threadpool(work)

    async def device(self, request: Request) -> str:
        return await _authenticate_device(request, self.store, self.clock)

    async def admin(self, request: Request) -> None:
        header = request.headers.get("authorization", "")
        credential = header[7:] if header.lower().startswith("bearer ") else ""
        if not credential or not await self.run(registry.admin_credential_valid, credential, self.now()):
            raise HTTPException(401, "admin credential required", headers={"WWW-Authenticate": "Bearer"})


def create_app(store: Store, clock: Callable[[], float] = time.time, max_body: int = DEFAULT_MAX_BODY,
               limits: dict | None = None, roots: Sequence[RootKey] = ()) -> FastAPI:
    """The ASGI app over `store`; `clock` (seconds since the epoch) is injectable for skew tests; `limits` are
    RequestGuard's keyword options (max_in_flight, queue_wait_s, body_deadline_s); `roots` are the pinned root
    keys publications are checked against (none: nothing can be published)."""
    app = FastAPI(title="Kiosk central service", version="1", responses=COMMON_RESPONSES)
    answer_key = load_or_create_answer_key(store, datetime.fromtimestamp(clock(), timezone.utc))
    app.add_middleware(RequestGuard, store=store, clock=clock, max_body=max_body, answer_key=answer_key,
                       **(limits or {}))  # limits before parsing; device answers signed
    app.state.answer_public_key = public_key_b64(answer_key)
    install_error_handlers(app)
    ctx = _Context(store, clock, roots)
    _device_api(app, ctx)
    _admin_api(app, ctx)
    _fleet_api(app, ctx)
    from sync.central.console import mount_console  # the administrators' web console at / (docs/console.md)
    mount_console(app, ctx)
    return app


ENV_DB, ENV_ROOTS, ENV_MAX_BODY = "KIOSK_CENTRAL_DB", "KIOSK_CENTRAL_ROOTS", "KIOSK_CENTRAL_MAX_BODY"


def app_from_environment() -> FastAPI:
    """The app factory each worker process of `kiosk-central serve --workers N` calls: everything it needs comes
    from the environment the parent set (database URL, root files, body limit); all state is in the database."""
    import os

    roots = publishing.load_roots([p for p in os.environ.get(ENV_ROOTS, "").split(os.pathsep) if p])
    store = Store(os.environ[ENV_DB])
    return create_app(store, max_body=int(os.environ.get(ENV_MAX_BODY, DEFAULT_MAX_BODY)), roots=roots)


def _device_api(app: FastAPI, ctx: _Context) -> None:
    """Health, enrollment, signed uploads and downloads."""
    run, now, device = ctx.run, ctx.now, ctx.device

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/v1/enroll", response_model=EnrollResponse, status_code=201,
              responses={403: {"description": "token unknown, used or expired; device id taken"}})
    async def enroll(body: EnrollRequest) -> EnrollResponse:
        try:
            site = await run(registry.enroll, body.token, body.device_id, body.public_key, now())
        except registry.EnrollmentError as exc:
            raise HTTPException(403, str(exc)) from exc
        return EnrollResponse(device_id=body.device_id, site=site, central_key=app.state.answer_public_key)

    @app.post("/api/v1/events", response_model=IngestResponse,
              responses={401: {"description": "bad signature"}, 403: {"description": "another device's events"}})
    async def upload(batch: EventBatch, device_id: str = Depends(device)) -> IngestResponse:
        events = batch.model_dump()["events"]  # one serializer call for the whole batch
        try:
            result = await run(ingest, device_id, events, registry.utc_text(now()), "upload")
        except IngestRejected as exc:
            raise HTTPException(403, str(exc)) from exc
        return IngestResponse(**result.to_json())

    @app.get("/api/v1/files/{name}", responses={200: {"content": {"application/octet-stream": {}}},
                                                 304: {"description": "unchanged"}, 404: {"description": "none"}})
    async def download(request: Request, name: str = Path(pattern=FILE_NAME),
                       device_id: str = Depends(device)) -> Response:
        found = await run(_read_file, device_id, name)
        if found is None:
            raise HTTPException(404, f"no {name} published")
        etag, body = found
        if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
            return Response(status_code=304, headers={"ETag": etag})
        return Response(bytes(body), media_type="application/octet-stream", headers={"ETag": etag})

    @app.post("/api/v1/heartbeat", response_model=HeartbeatOut,
              responses={403: {"description": "the device is disabled"}})
    async def heartbeat(beat: HeartbeatIn, device_id: str = Depends(device)) -> HeartbeatOut:
        received = now()
        offset = await run(fleet.record_heartbeat, device_id, beat.model_dump(mode="json"), received)
        return HeartbeatOut(central_utc=registry.utc_text(received), clock_offset_s=offset)


def _admin_api(app: FastAPI, ctx: _Context) -> None:
    """Endpoints behind the admin credential: publishing, tokens, reports, imports."""
    run, now, admin, store = ctx.run, ctx.now, ctx.admin, ctx.store

    @app.put("/api/v1/admin/files/{name}", dependencies=[Depends(admin)], status_code=201,
             response_model=Publication,
             responses={409: {"description": "refused: does not verify, not newer, or no pinned root"}},
             openapi_extra={"requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
    async def publish(request: Request, name: str = Path(pattern=FILE_NAME),
                      site: str | None = Query(default=None, pattern=NAME)) -> dict:
        body = await request.body()
        try:
            done = await run(publishing.publish, name, body, site, ctx.roots, now())
        except publishing.PublishRefused as exc:
            raise HTTPException(409, str(exc)) from exc
        return done.to_json()

    @app.get("/api/v1/admin/files", dependencies=[Depends(admin)], response_model=list[Publication])
    async def publications() -> list[dict]:
        return await run(publishing.current)

    @app.post("/api/v1/admin/tokens", dependencies=[Depends(admin)], response_model=TokenResponse, status_code=201)
    async def new_token(body: TokenRequest) -> TokenResponse:
        token = await run(registry.create_enrollment_token, body.site, now(), timedelta(hours=body.valid_hours))
        return TokenResponse(token=token, site=body.site)

    @app.get("/api/v1/admin/devices", dependencies=[Depends(admin)], response_model=list[Device])
    async def devices() -> list[dict]:
        return await run(registry.list_devices)

    @app.get("/api/v1/admin/counts", dependencies=[Depends(admin)], response_model=list[DailyCount])
    async def counts(since: str = Query("0000-00-00", pattern=r"^\d{4}-\d{2}-\d{2}$"),
                     until: str = Query("9999-99-99", pattern=r"^\d{4}-\d{2}-\d{2}$")) -> list[dict]:
        return await run(registry.daily_counts, since, until)

    @app.get("/api/v1/admin/chain-flags", dependencies=[Depends(admin)], response_model=list[ChainFlag])
    async def flags(device_id: str | None = Query(None, pattern=NAME)) -> list[dict]:
        return await run(registry.chain_flags, device_id)

    @app.get("/api/v1/admin/events.csv", dependencies=[Depends(admin)],
             responses={200: {"content": {"text/csv": {}}}})
    async def events_csv(since: str = Query("0000-00-00", pattern=r"^\d{4}-\d{2}-\d{2}$"),
                         until: str = Query("9999-99-99", pattern=r"^\d{4}-\d{2}-\d{2}$")) -> StreamingResponse:
        # streamed page by page (Starlette iterates a plain iterator in its thread pool): never the whole table
        return StreamingResponse(csv_rows(store, since, until), media_type="text/csv",
                                 headers={"Content-Disposition": 'attachment; filename="events.csv"'})

    @app.post("/api/v1/admin/import", dependencies=[Depends(admin)], response_model=IngestResponse,
              responses={422: {"description": "not a correctly signed bundle of an enrolled device"}})
    async def import_bundle(bundle: Bundle, request: Request) -> IngestResponse:
        raw = json.loads(await request.body())
        try:
            result = await run(import_raw_bundle, raw, registry.utc_text(now()))
        except IngestRejected as exc:
            raise HTTPException(422, str(exc)) from exc
        return IngestResponse(**result.to_json())


def import_raw_bundle(tx, raw: dict, now_text: str):
    """Verify a parsed bundle against the device's registered key and ingest it (same exactly-once rules)."""
    try:
        bundle = Bundle.model_validate(raw)
    except ValidationError as exc:
        raise IngestRejected(f"malformed bundle: {exc.error_count()} errors") from exc
    device_id = bundle.payload.device_id
    access = registry.device_access(tx, device_id)
    if access is None:
        raise IngestRejected(f"device {device_id} is not enrolled")
    key_text, disabled = access
    if disabled:
        raise IngestRejected(f"device {device_id} is disabled (its key may be in other hands); re-enroll it first")
    if not bundle_signature_valid(raw, load_public_key_b64(key_text)):
        raise IngestRejected("bundle signature does not verify with the device's registered key")
    return ingest(tx, device_id, bundle.payload.model_dump()["events"], now_text, "bundle")


def _read_file(tx, device_id: str, name: str):
    site = tx.execute("SELECT site FROM devices WHERE device_id = ?", (device_id,)).fetchone()
    for key in ([f"{site[0]}/{name}"] if site else []) + [name]:
        row = tx.execute("SELECT etag, body FROM files WHERE name = ?", (key,)).fetchone()
        if row:
            return row
    return None


def _fleet_api(app: FastAPI, ctx: _Context) -> None:
    """The fleet view and what an administrator does about a kiosk: disable it, re-enroll it."""
    run, now, admin = ctx.run, ctx.now, ctx.admin

    @app.get("/api/v1/admin/fleet", dependencies=[Depends(admin)], response_model=list[FleetDevice])
    async def fleet_view() -> list[dict]:
        return await run(fleet.fleet, now())

    @app.get("/api/v1/admin/devices/{device_id}/heartbeats", dependencies=[Depends(admin)])
    async def heartbeat_history(device_id: str = Path(pattern=NAME),
                                hours: int = Query(24, ge=1, le=24 * 31)) -> list[dict]:
        return await run(fleet.heartbeats, device_id, now() - timedelta(hours=hours))

    @app.post("/api/v1/admin/devices/{device_id}/disable", dependencies=[Depends(admin)], status_code=204,
              responses={404: {"description": "no such device"}})
    async def disable(body: DisableRequest, device_id: str = Path(pattern=NAME)) -> Response:
        try:
            await run(registry.disable_device, device_id, now(), body.reason)
        except registry.UnknownDevice as exc:
            raise HTTPException(404, str(exc)) from exc
        return Response(status_code=204)

    @app.post("/api/v1/admin/devices/{device_id}/reenroll", dependencies=[Depends(admin)], status_code=201,
              response_model=TokenResponse, responses={404: {"description": "no such device"}})
    async def reenroll(body: ReenrollRequest, device_id: str = Path(pattern=NAME)) -> TokenResponse:
        try:
            token, site = await run(registry.reenrollment_token, device_id, now(),
                                    timedelta(hours=body.valid_hours), body.site)
        except registry.UnknownDevice as exc:
            raise HTTPException(404, str(exc)) from exc
        return TokenResponse(token=token, site=site)


async def _authenticate_device(request: Request, store: Store, clock: Callable[[], float]) -> str:
    """The enrolled device that signed this request, or a 401 (bad/missing signature, skew, replay)."""
    h = request.headers
    device_id, stamp, nonce, signature = (h.get(auth.HEADER_DEVICE), h.get(auth.HEADER_TIME),
                                          h.get(auth.HEADER_NONCE), h.get(auth.HEADER_SIGNATURE))
    if not (device_id and stamp and nonce and signature) or not STAMP.fullmatch(stamp) or len(nonce) > 64:
        raise HTTPException(401, "device signature headers required")
    server_now = int(clock())
    if abs(server_now - int(stamp)) > auth.MAX_SKEW_SECONDS:
        raise HTTPException(401, "clock skew", headers={auth.HEADER_SERVER_TIME: str(server_now)})
    body = await request.body()
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    message = auth.signing_string(request.method, path, device_id, int(stamp), nonce, body)

    def check() -> str:
        with store.tx() as tx:
            access = registry.device_access(tx, device_id)
            if access is None or not auth.signature_valid(load_public_key_b64(access[0]), signature, message):
                return "bad"
            if access[1]:
                return "disabled"
            fresh = registry.use_nonce(tx, device_id, nonce, server_now, 2 * auth.MAX_SKEW_SECONDS + 1)
            return "ok" if fresh else "bad"

    verdict = await run_in_threadpool(check)
    if verdict == "disabled":
        raise HTTPException(403, "this device is disabled; an administrator must re-enroll it")
    if verdict != "ok":
        raise HTTPException(401, "signature invalid, device unknown or request replayed")
    return device_id

