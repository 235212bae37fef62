"""The checks page: counts per day or hour by site, outcome and verdict as an SVG chart and a table, and the CSV
of the same filter.

Why: administrators need to see how gates decide (PASS / STOP / SEE STAFF), not only what verification found;
the counts come from the hourly roll-up kept at ingest (sync.central.events.checkstats), never from a scan of events.
"""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import Response

from sync.central.events import checkstats
from sync.central.admin.accounts import User
from sync.central.events.checkstats import OUTCOMES, CountFilter
from sync.central.console import charts
from sync.central.console.i18n import translator
from sync.central.console.web import SECURITY_HEADERS, Console

DAY = r"^(\d{4}-\d{2}-\d{2})?$"
CODE = r"^[A-Z0-9_]{0,64}$"
SITE = r"^([A-Za-z0-9][A-Za-z0-9._:-]{0,63})?$"


def add_routes(app: FastAPI, console: Console) -> None:
    ctx = console.ctx
    viewer = console.role("viewer")

    def read_filter(since: str, until: str, site: str, outcome: str, verdict: str, interval: str, by: str):
        today = ctx.now().date()
        until_d = _day(until) or today
        since_d = _day(since) or until_d - timedelta(days=13)
        if since_d > until_d:
            since_d, until_d = until_d, since_d
        capped = interval == "hour" and (until_d - since_d).days >= checkstats.MAX_HOURLY_DAYS
        if capped:
            since_d = until_d - timedelta(days=checkstats.MAX_HOURLY_DAYS - 1)
        return CountFilter(since_d.isoformat(), until_d.isoformat(), site, outcome if outcome in OUTCOMES else "",
                           verdict, interval == "hour", "verdict" if by == "verdict" else "outcome"), capped

    @app.get("/checks", include_in_schema=False)
    async def checks_page(request: Request, user: User = Depends(viewer),
                          since: str = Query("", pattern=DAY), until: str = Query("", pattern=DAY),
                          site: str = Query("", pattern=SITE), outcome: str = Query("", pattern=CODE),
                          verdict: str = Query("", pattern=CODE), interval: str = Query("day", pattern="^(day|hour)$"),
                          by: str = Query("outcome", pattern="^(outcome|verdict)$")):
        f, capped = read_filter(since, until, site, outcome, verdict, interval, by)

        def gather(tx):
            sites = [r[0] for r in tx.execute("SELECT DISTINCT site FROM devices ORDER BY site").fetchall()]
            return checkstats.series(tx, f), checkstats.by_site(tx, f), checkstats.verdicts(tx), sites
        series, per_site, verdicts, sites = await ctx.run(gather)
        t = translator(console.lang(request))
        keys = list(OUTCOMES) if f.by == "outcome" else sorted({k for _, k, _ in series})
        labels = {o: t(f"outcome_{o}") for o in OUTCOMES}
        chart = charts.stacked_bars(series, keys, t("chart_title", since=f.since, until=f.until), labels, "counts")
        table = _site_table(per_site)
        query = request.url.query
        return console.render(request, "checks.html", f=f, chart=chart if series else "", keys=keys, labels=labels,
                              table=table, sites=sites, verdicts=verdicts, outcomes=OUTCOMES, capped=capped,
                              max_days=checkstats.MAX_HOURLY_DAYS, csv_query=query,
                              total=sum(c for _, _, c in per_site), colours={k: charts.colour_for(k, keys) for k in keys})

    @app.get("/checks.csv", include_in_schema=False)
    async def checks_csv(request: Request, user: User = Depends(viewer),
                         since: str = Query("", pattern=DAY), until: str = Query("", pattern=DAY),
                         site: str = Query("", pattern=SITE), outcome: str = Query("", pattern=CODE),
                         verdict: str = Query("", pattern=CODE), interval: str = Query("day", pattern="^(day|hour)$"),
                         by: str = Query("outcome", pattern="^(outcome|verdict)$")):
        f, _ = read_filter(since, until, site, outcome, verdict, interval, by)
        text = await ctx.run(lambda tx: "".join(checkstats.csv_text(tx, f)))
        await console.audit(request, user, "export_counts_csv", f"{f.since}..{f.until}",
                            f"site={f.site or '*'} outcome={f.outcome or '*'} verdict={f.verdict or '*'}")
        name = re.sub(r"[^0-9A-Za-z_.-]", "_", f"checks-{f.since}-{f.until}{'-' + f.site if f.site else ''}.csv")
        return Response(text, media_type="text/csv; charset=utf-8",
                        headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'})


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _site_table(per_site: list[tuple[str, str, int]]) -> list[dict]:
    table: dict[str, dict] = defaultdict(lambda: {o: 0 for o in OUTCOMES})
    for site, outcome, count in per_site:
        table[site][outcome] = table[site].get(outcome, 0) + count
    return [{"site": s, **v, "total": sum(v.values())} for s, v in sorted(table.items())]
