"""Sign-in, sign-out and the language switch.

Why: the only way into the console is a user name and password checked against a slow hash, with an escalating
lock after five wrong passwords; the session cookie is HttpOnly and SameSite=Strict (Secure over TLS). Every
sign-in, failed sign-in and sign-out is audited with the address it came from.
"""
from __future__ import annotations

from fastapi import FastAPI, Form, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from sync.central.admin import accounts
from sync.central.console.i18n import LANGS
from sync.central.console.web import (LANG_COOKIE, SECURITY_HEADERS, SESSION_COOKIE, Console, check_origin,
                                      client_address, is_tls, safe_next)

MAX_FIELD = 1024


def add_routes(app: FastAPI, console: Console) -> None:
    ctx = console.ctx

    @app.get("/login", include_in_schema=False)
    async def login_form(request: Request, next: str = "/"):
        return console.render(request, "login.html", next=safe_next(next))

    @app.post("/login", include_in_schema=False)
    async def login(request: Request, username: str = Form("", max_length=MAX_FIELD),
                    password: str = Form("", max_length=MAX_FIELD), next: str = Form("/", max_length=MAX_FIELD)):
        check_origin(request)
        now = ctx.now()
        result = await run_in_threadpool(accounts.authenticate, ctx.store, username[:64], password, now)
        if result.user is None:
            await console.audit(request, "anonymous", "login_failed", username[:64], result.problem)
            error = {"bad": "login_bad", "locked": "login_locked", "disabled": "login_disabled"}[result.problem]
            return console.render(request, "login.html", status=401, next=safe_next(next), error=error,
                                  until=(result.locked_until or "")[:16].replace("T", " ") + " UTC",
                                  username=username[:64])
        token = await ctx.run(accounts.create_session, result.user, now, client_address(request))
        await console.audit(request, result.user, "login")
        response = RedirectResponse(safe_next(next), status_code=303, headers=SECURITY_HEADERS)
        response.set_cookie(SESSION_COOKIE, token, max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
                            httponly=True, samesite="strict", secure=is_tls(request), path="/")
        return response

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request):
        check_origin(request)
        token = request.cookies.get(SESSION_COOKIE, "")
        user = await ctx.run(accounts.session_user, token, ctx.now()) if token else None
        if user is not None:
            await ctx.run(accounts.end_session, token)
            await console.audit(request, user, "logout")
        response = RedirectResponse("/login", status_code=303, headers=SECURITY_HEADERS)
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=is_tls(request))
        return response

    @app.get("/lang/{code}", include_in_schema=False)
    async def switch_language(request: Request, code: str, next: str = "/"):
        response = RedirectResponse(safe_next(next), status_code=303, headers=SECURITY_HEADERS)
        if code in LANGS:
            response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, httponly=True, samesite="strict",
                                secure=is_tls(request), path="/")
        return response
