"""The administrators' web console, served by kiosk-central at `/` (docs/console.md).

`mount_console(app, ctx)` adds its pages to the service's FastAPI app over the same store and clock: sign-in and
sessions (routes_auth), the fleet and kiosk pages (routes_fleet), check counts with charts and CSV (routes_checks),
publishing with a preview (routes_publish), enrolment tokens, accounts and the audit log (routes_admin), and
the audit of the bearer-credential admin API (api_audit).
"""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

from sync.central.console.api_audit import AdminApiAudit
from sync.central.console import routes_admin, routes_auth, routes_checks, routes_fleet, routes_publish
from sync.central.console.web import HERE, Console, LoginRequired, OriginRefused, RoleRequired, login_redirect


def mount_console(app: FastAPI, ctx: Any) -> Console:
    console = Console(ctx)
    app.add_middleware(AdminApiAudit, ctx=ctx)  # the admin API's actions are audited too
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="console-static")
    for module in (routes_auth, routes_fleet, routes_checks, routes_publish, routes_admin):
        module.add_routes(app, console)

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired):
        return login_redirect(request)

    @app.exception_handler(RoleRequired)
    async def forbidden(request: Request, exc: RoleRequired):
        request.state.user = exc.user
        return console.render(request, "message.html", status=403, heading="forbidden",
                              text_key="forbidden_text", role=exc.role, mine=exc.user.role)

    @app.exception_handler(OriginRefused)
    async def bad_origin(request: Request, exc: OriginRefused):
        return console.render(request, "message.html", status=403, heading="forbidden", text_key="origin_refused")

    return console
