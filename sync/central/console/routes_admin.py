"""Enrolment tokens (operators), the audit log and accounts (admins).

Why: enrolling a kiosk starts with a one-time token an operator creates for a site; who did what, when and from
where must be readable by admins without database access; accounts are added on the server (`kiosk-central user
add`) and can be disabled here at once (their sessions end).
"""
from __future__ import annotations

from datetime import timedelta

from fastapi import Depends, FastAPI, Form, Path, Query, Request
from fastapi.responses import RedirectResponse

from sync.central.admin import accounts, audit
from sync.central.storage import registry
from sync.central.admin.accounts import User
from sync.central.console.web import SECURITY_HEADERS, Console
from sync.central.models import NAME

RECENT_TOKENS = 50


def add_routes(app: FastAPI, console: Console) -> None:
    ctx = console.ctx
    operator, acting_operator = console.role("operator"), console.acting("operator")
    admin, acting_admin = console.role("admin"), console.acting("admin")

    def recent_tokens(tx):
        rows = tx.execute("SELECT site, created_at, expires_at, used_by, used_at FROM enrollment_tokens "
                          "ORDER BY created_at DESC LIMIT ?", (RECENT_TOKENS,)).fetchall()
        return [dict(zip(("site", "created_at", "expires_at", "used_by", "used_at"), r)) for r in rows]

    @app.get("/tokens", include_in_schema=False)
    async def tokens_page(request: Request, user: User = Depends(operator)):
        return console.render(request, "tokens.html", tokens=await ctx.run(recent_tokens), now=registry.utc_text(ctx.now()))

    @app.post("/tokens", include_in_schema=False)
    async def new_token(request: Request, user: User = Depends(acting_operator), site: str = Form(..., pattern=NAME),
                        valid_hours: int = Form(168, ge=1, le=24 * 90)):
        now = ctx.now()

        def work(tx):
            token = registry.create_enrollment_token(tx, site, now, timedelta(hours=valid_hours))
            audit.record(tx, now, user.name, request.client.host if request.client else "unknown", "token_create",
                         site, f"valid {valid_hours} h")
            return token, recent_tokens(tx)
        token, tokens = await ctx.run(work)
        return console.render(request, "tokens.html", tokens=tokens, new_token=token, new_site=site,
                              now=registry.utc_text(now))

    @app.get("/audit", include_in_schema=False)
    async def audit_page(request: Request, user: User = Depends(admin), actor: str = Query("", max_length=64),
                         action: str = Query("", max_length=64), before: int | None = Query(None, ge=1)):
        def gather(tx):
            return audit.entries(tx, actor, action, before), audit.actions(tx)
        rows, actions = await ctx.run(gather)
        return console.render(request, "audit.html", rows=rows, actions=actions, actor=actor, action=action,
                              older=rows[-1]["id"] if len(rows) == audit.PAGE else None)

    @app.get("/users", include_in_schema=False)
    async def users_page(request: Request, user: User = Depends(admin)):
        return console.render(request, "users.html", users=await ctx.run(accounts.list_users))

    @app.post("/users/{name}/disable", include_in_schema=False)
    async def disable_user(request: Request, name: str = Path(max_length=64), user: User = Depends(acting_admin)):
        now = ctx.now()

        def work(tx):
            accounts.disable_user(tx, name, now)
            audit.record(tx, now, user.name, request.client.host if request.client else "unknown", "user_disable", name)
        try:
            await ctx.run(work)
        except accounts.AccountError:
            return console.render(request, "message.html", status=404, heading="not_found", text=name)
        return RedirectResponse("/users", status_code=303, headers=SECURITY_HEADERS)
