"""The fleet page (every kiosk, worst problems first, filterable) and one kiosk's page (heartbeats, checks per
hour, chain flags, disable, re-enrolment token).

Why: an administrator with 500 gates needs to see at once which are stale, silent, paused, blind or mis-clocked,
and act on one. Data comes through `fleet_source` (the fleet service when present, else the registry).
"""
from __future__ import annotations

from datetime import timedelta

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.responses import RedirectResponse

from sync.central.admin import audit
from sync.central.storage import registry
from sync.central.admin.accounts import User
from sync.central.console import charts, fleet_source
from sync.central.console.web import SECURITY_HEADERS, Console
from sync.central.models import NAME

ALERT_CODE = r"^[a-z_]{1,32}$"


def add_routes(app: FastAPI, console: Console) -> None:
    ctx = console.ctx
    viewer = console.role("viewer")

    @app.get("/", include_in_schema=False)
    async def fleet_page(request: Request, user: User = Depends(viewer),
                         site: str = Query("", max_length=64), alert: str = Query("", max_length=32)):
        rows = await ctx.run(fleet_source.kiosks, ctx.now())
        sites = sorted({r.get("site", "") for r in rows})
        alerts = sorted({a for r in rows for a in r["alerts"]}, key=_alert_rank)
        shown = [r for r in rows if (not site or r.get("site") == site)
                 and (not alert or (alert == "any" and r["alerts"]) or alert in r["alerts"])]
        return console.render(request, "fleet.html", rows=shown, total=len(rows), sites=sites, alerts=alerts,
                              site=site, alert=alert)

    @app.get("/kiosks/{device_id}", include_in_schema=False)
    async def kiosk_page(request: Request, device_id: str = Path(pattern=NAME), user: User = Depends(viewer)):
        return await _kiosk_page(console, request, device_id)

    _add_kiosk_actions(app, console)


def _add_kiosk_actions(app: FastAPI, console: Console) -> None:
    """Disable a kiosk; give it a re-enrolment token (operators; both audited)."""
    ctx, operator = console.ctx, console.acting("operator")

    @app.post("/kiosks/{device_id}/disable", include_in_schema=False)
    async def disable(request: Request, device_id: str = Path(pattern=NAME), user: User = Depends(operator)):
        now = ctx.now()

        def work(tx):
            fleet_source.disable(tx, device_id, now, user.name)
            audit.record(tx, now, user.name, _address(request), "kiosk_disable", device_id)
        try:
            await ctx.run(work)
        except fleet_source.FleetUnavailable:
            return await _kiosk_page(console, request, device_id, error="fleet_unavailable")
        except fleet_source.NoSuchKiosk:
            return console.render(request, "message.html", status=404, heading="not_found", text=device_id)
        return RedirectResponse(f"/kiosks/{device_id}?done=disabled", status_code=303, headers=SECURITY_HEADERS)

    @app.post("/kiosks/{device_id}/reenrol", include_in_schema=False)
    async def reenrol(request: Request, device_id: str = Path(pattern=NAME), user: User = Depends(operator)):
        now = ctx.now()

        def work(tx):
            row = tx.execute("SELECT site FROM devices WHERE device_id = ?", (device_id,)).fetchone()
            if row is None:
                return None
            token = fleet_source.reenrol_token(tx, device_id, row[0], now)
            audit.record(tx, now, user.name, _address(request), "kiosk_reenrol_token", device_id, f"site {row[0]}")
            return token
        token = await ctx.run(work)
        return await _kiosk_page(console, request, device_id, new_token=token)


async def _kiosk_page(console: Console, request: Request, device_id: str, **extra):
    ctx, now = console.ctx, console.ctx.now()

    def gather(tx):
        row = fleet_source.kiosk(tx, device_id, now)
        if row is None:
            return None
        return (row, fleet_source.heartbeats(tx, device_id, now - timedelta(hours=48)),
                fleet_source.checks_per_hour(tx, device_id, now - timedelta(hours=48)),
                registry.chain_flags(tx, device_id))
    found = await ctx.run(gather)
    if found is None:
        return console.render(request, "message.html", status=404, heading="not_found", text=device_id)
    row, beats, hourly, flags = found
    t = _labels(console, request)
    chart = charts.stacked_bars(hourly, ["PASS", "STOP", "SEE_STAFF"], t["title"], t["outcomes"], "hourly")
    return console.render(request, "kiosk.html", k=row, heartbeats=beats, chart=chart if hourly else "",
                          heartbeat_columns=fleet_source.HEARTBEAT_COLUMNS,
                          flags=flags, can_disable=fleet_source.can_disable(), **extra)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _alert_rank(code: str) -> int:
    return fleet_source.SEVERITY.index(code) if code in fleet_source.SEVERITY else len(fleet_source.SEVERITY)


def _labels(console: Console, request: Request) -> dict:
    from sync.central.console.i18n import translator
    t = translator(console.lang(request))
    return {"title": t("checks_per_hour"), "outcomes": {o: t(f"outcome_{o}") for o in ("PASS", "STOP", "SEE_STAFF")}}
