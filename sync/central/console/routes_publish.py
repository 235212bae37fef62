"""Publishing with a preview: upload a trust bundle, status list or settings file, see what it contains, then
publish it to every kiosk or to one site (admins only).

Why: a file published here reaches every gate at its next sync; the preview (version, issuers, revocations, entry
counts, signer) is the last look before that. The upload waits as a draft (one hour) between preview and publish,
so what is published is byte for byte what was previewed.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from fastapi import Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from sync.central.admin import audit
from sync.central.storage import registry
from sync.central.admin.accounts import User
from sync.central.console import preview as previews
from sync.central.console import publications
from sync.central.console.web import SECURITY_HEADERS, Console
from sync.central.models import NAME

MAX_UPLOAD = 64 * 1024 * 1024
DRAFT_LIFETIME = timedelta(hours=1)
SITE = NAME[:-1].replace("^", "^(") + ")?$"  # a site name or empty (= every site)


def add_routes(app: FastAPI, console: Console) -> None:
    ctx = console.ctx
    admin, acting_admin = console.role("admin"), console.acting("admin")

    def page(request: Request, **extra):
        return _publish_page(console, request, **extra)

    @app.get("/publish", include_in_schema=False)
    async def publish_page(request: Request, user: User = Depends(admin), done: str = ""):
        return await page(request, done=done[:200])

    @app.post("/publish/preview", include_in_schema=False)
    async def preview(request: Request, user: User = Depends(acting_admin), upload: UploadFile = File(...),
                      site: str = Form("", pattern=SITE)):
        body = await upload.read(MAX_UPLOAD + 1)
        if len(body) > MAX_UPLOAD:
            return await page(request, error=f"over {MAX_UPLOAD // (1024 * 1024)} MiB")
        now = ctx.now()
        published = await ctx.run(publications.read_global, "trust-bundle")
        try:
            shown = previews.inspect(body, published)
        except previews.PreviewError as exc:
            return await page(request, error=str(exc))
        refusal = await run_in_threadpool(publications.dry_run, ctx.store, shown.kind, body, site or None,
                                          getattr(ctx, "roots", ()), now)
        draft_id = secrets.token_urlsafe(18)

        def save(tx):
            tx.execute("DELETE FROM publish_drafts WHERE created_at < ?", (registry.utc_text(now - DRAFT_LIFETIME),))
            tx.execute("INSERT INTO publish_drafts (draft_id, user_name, name, site, body, created_at) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (draft_id, user.name, shown.kind, site or None, body,
                                                     registry.utc_text(now)))
            audit.record(tx, now, user.name, _address(request), "publish_preview", _target(shown.kind, site),
                         f"version {shown.version} sha256 {shown.sha256[:16]}")
        await ctx.run(save)
        return console.render(request, "preview.html", p=shown, site=site, draft_id=draft_id,
                              filename=(upload.filename or "")[:120], refusal=refusal)

    _add_confirm(app, console)


def _add_confirm(app: FastAPI, console: Console) -> None:
    """Publish (or drop) the draft the same admin previewed, byte for byte, if it is under an hour old."""
    ctx, acting_admin = console.ctx, console.acting("admin")

    @app.post("/publish/confirm", include_in_schema=False)
    async def confirm(request: Request, user: User = Depends(acting_admin),
                      draft_id: str = Form(..., max_length=64), action: str = Form("publish", max_length=16)):
        now = ctx.now()

        def work(tx):
            row = tx.execute("SELECT name, site, body, created_at FROM publish_drafts WHERE draft_id = ? AND "
                             "user_name = ?", (draft_id, user.name)).fetchone()
            if row is None or row[3] < registry.utc_text(now - DRAFT_LIFETIME):
                return None
            name, site, body = row[0], row[1], bytes(row[2])
            tx.execute("DELETE FROM publish_drafts WHERE draft_id = ?", (draft_id,))
            if action != "publish":
                return ""
            summary = publications.publish(tx, name, body, site, getattr(ctx, "roots", ()), now)
            audit.record(tx, now, user.name, _address(request), "publish", _target(name, site or ""), summary)
            return _target(name, site or "")
        try:
            done = await ctx.run(work)
        except publications.PublicationRefused as exc:
            await console.audit(request, user, "publish_refused", draft_id[:8], str(exc))
            return await _publish_page(console, request, refused=str(exc))
        if done is None:
            return await _publish_page(console, request, error_key="draft_gone")
        return RedirectResponse("/publish" + (f"?done={done}" if done else ""), status_code=303,
                                headers=SECURITY_HEADERS)


async def _publish_page(console: Console, request: Request, **extra):
    def gather(tx):
        sites = [r[0] for r in tx.execute("SELECT DISTINCT site FROM devices ORDER BY site").fetchall()]
        return publications.published(tx), sites
    published, sites = await console.ctx.run(gather)
    return console.render(request, "publish.html", published=published, sites=sites, **extra)


def _target(name: str, site: str) -> str:
    return f"{site}/{name}" if site else name


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
