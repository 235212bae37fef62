"""The console's request plumbing: who is signed in, what role a page needs, the Origin check, rendering.

Why: every page and endpoint must know its user (anonymous requests go to /login), refuse a role that is too
low (403), and refuse a state-changing request that did not come from the console itself (Origin check: with
SameSite=Strict cookies this stops cross-site request forgery). Templates are Jinja2 with autoescape; every
response carries a strict Content-Security-Policy (no script at all, nothing from elsewhere). Runs on the event
loop; store work goes to worker threads through the service context's `run`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from sync.central.admin import accounts, audit
from sync.central.admin.accounts import User
from sync.central.console import i18n

SESSION_COOKIE = "kc_session"
LANG_COOKIE = "kc_lang"
HERE = Path(__file__).parent
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class LoginRequired(Exception):
    """No valid session: the handler answers with a redirect to /login."""


class RoleRequired(Exception):
    def __init__(self, user: User, role: str) -> None:
        super().__init__(role)
        self.user, self.role = user, role


class OriginRefused(Exception):
    """A state-changing request whose Origin (or Referer) is not this console."""


class Console:
    """What the console's routes share: the service context (store, clock, run), templates and session checks."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                               trim_blocks=True, lstrip_blocks=True)
        self.env.filters["num"] = lambda v: "" if v is None else f"{v:,}"

    # ------------------------------------------------------------------ who
    async def user(self, request: Request) -> User:
        token = request.cookies.get(SESSION_COOKIE, "")
        user = await self.ctx.run(accounts.session_user, token, self.ctx.now()) if token else None
        if user is None:
            raise LoginRequired()
        request.state.user = user
        return user

    def role(self, role: str):
        """A dependency: the signed-in user, who must hold at least `role`."""
        async def dependency(request: Request) -> User:
            user = await self.user(request)
            if not user.may(role):
                raise RoleRequired(user, role)
            return user
        return dependency

    def acting(self, role: str):
        """A dependency for state-changing requests: same-origin, then signed in with at least `role`."""
        needs_role = self.role(role)

        async def dependency(request: Request) -> User:
            check_origin(request)
            return await needs_role(request)
        return dependency

    # ------------------------------------------------------------------ output
    def lang(self, request: Request) -> str:
        return i18n.choose(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))

    def render(self, request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        lang = self.lang(request)
        user = getattr(request.state, "user", None)
        html = self.env.get_template(template).render(
            t=i18n.translator(lang), lang=lang, user=user, path=request.url.path,
            here=request.url.path + (f"?{request.url.query}" if request.url.query else ""), quote=quote, **context)
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    async def audit(self, request: Request, user: User | str, action: str, target: str = "", detail: str = "") -> None:
        name = user.name if isinstance(user, User) else user
        await self.ctx.run(audit.record, self.ctx.now(), name, client_address(request), action, target, detail)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def is_tls(request: Request) -> bool:
    return request.url.scheme == "https"


def check_origin(request: Request) -> None:
    """The request's Origin (or, without one, its Referer) must be this console's own scheme://host[:port]."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        referer = request.headers.get("referer", "")
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    if not origin or origin.lower() != own.lower():
        raise OriginRefused()


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/login?next=" + quote(target, safe=""), status_code=303, headers=SECURITY_HEADERS)


def safe_next(value: str | None) -> str:
    """Only a path on this console (never //host or a scheme): no open redirect after sign-in."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"
