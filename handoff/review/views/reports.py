"""Metrics with bar charts, the training examples to add, and the audit log (paged,
searchable, exported whole; failed sign-ins summed per address and hour apart)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime, time, timedelta

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from handoff.core.summary import Row
from handoff.review import formatting
from handoff.review.charts import Chart, bar_chart
from handoff.review.metrics import Report, Stats, report
from handoff.review.query import BadFilter, Filters
from handoff.review.training import rasa_yaml
from handoff.review.web import Site, base
from handoff.storage.records.audit import AuditSearch

STREAM_ID = re.compile(r"^[0-9]{1,20}-[0-9]{1,20}$")

CHUNK = 5000


class ReportViews:
    def __init__(self, site: Site) -> None:
        self.site = site

    def routes(self) -> list[Route]:
        return [
            Route("/metrics", self.metrics, methods=["GET"]),
            Route("/training", self.training, methods=["GET"]),
            Route("/training.yml", self.training_yaml, methods=["GET"]),
            Route("/training/remove", self.training_remove, methods=["POST"]),
            Route("/audit", self.audit, methods=["GET"]),
            Route("/audit.csv", self.audit_csv, methods=["GET"]),
        ]

    async def rows(self, filters: Filters) -> list[Row]:
        """Every summary row opened in the period (MGET in chunks: one reply per chunk)."""
        site = self.site
        low, high = filters.span(site.tz)
        ids = await site.redis.zrangebyscore(site.keys.convs, low, high)
        rows: list[Row] = []
        for start in range(0, len(ids), CHUNK):
            keys = [site.keys.summary(_text(i)) for i in ids[start : start + CHUNK]]
            rows += [Row.from_json(raw) for raw in await site.redis.mget(keys) if raw]
        return rows

    async def metrics(self, request: Request) -> Response:
        site = self.site
        session = site.signed_in(request)
        if session is None:
            return site.to_login(request)
        today = datetime.fromtimestamp(site.config.clock(), site.tz).date()
        params = dict(request.query_params)
        if "since" not in params and "until" not in params:
            params["since"] = (today - timedelta(days=29)).isoformat()
        problem = ""
        try:
            period = Filters.from_params({k: params.get(k, "") for k in ("since", "until")})
        except BadFilter as exc:
            period, problem = Filters(), str(exc)
        result = report(await self.rows(period))
        return site.render(
            request, "metrics.html", session=session, period=period, problem=problem,
            result=result, charts=self._charts(result), presets=_presets(today),
        )  # fmt: skip

    def _charts(self, result: Report) -> list[Chart]:
        site = self.site
        stores = [(site.store_name(k), v) for k, v in result.stores.items()]
        people = [(site.person(k), v) for k, v in result.employees.items()]

        def chart(
            title: str,
            groups: list[tuple[str, Stats]],
            pick: Callable[[Stats], float | None],
            show: Callable[[float | None], str],
        ) -> Chart:
            return bar_chart(title, [(label, pick(s)) for label, s in groups], show)

        pct, dur, num = formatting.percent, formatting.duration, formatting.number
        to_human, first = _median_to_human, _median_first_reply
        return [
            chart("Answered by the bot alone, by store", stores, lambda s: s.bot_only, pct),
            chart("Time to a human (median), by store", stores, to_human, dur),
            chart("First human reply (median), by store", stores, first, dur),
            chart("Human reply within 1 h, by store", stores, lambda s: s.within_1_h, pct),
            chart("Average rating, by store", stores, lambda s: s.rating, num),
            chart("Time to a human (median), by employee", people, to_human, dur),
            chart("First reply (median), by employee", people, first, dur),
            chart("Average rating, by employee", people, lambda s: s.rating, num),
        ]

    async def training(self, request: Request) -> Response:
        site = self.site
        session = site.signed_in(request)
        if session is None:
            return site.to_login(request)
        examples = await site.training.all()
        return site.render(request, "training.html", session=session, examples=examples)

    async def training_yaml(self, request: Request) -> Response:
        site = self.site
        session = site.signed_in(request)
        if session is None:
            return site.to_login(request)
        examples = await site.training.all()
        await site.audit.record("export_training", session.user or "", count=len(examples))
        return PlainTextResponse(
            rasa_yaml(examples),
            media_type="application/yaml",
            headers={"content-disposition": 'attachment; filename="nlu-additions.yml"'},
        )

    async def training_remove(self, request: Request) -> Response:
        site = self.site
        session, form = await site.checked_form(request)
        if site.signed_in(request) is None:
            return site.to_login(request)
        key = str(form.get("key", ""))
        if await site.training.remove(key):
            await site.audit.record("training_added", session.user or "", example=key)
        return RedirectResponse(f"{base(request)}/training", status_code=303)

    async def audit(self, request: Request) -> Response:
        site = self.site
        session = site.signed_in(request)
        if session is None:
            return site.to_login(request)
        params = request.query_params
        problem = ""
        try:
            search = self._search(params.get("by", ""), params.get("action", ""),
                                  params.get("since", ""), params.get("until", ""))  # fmt: skip
        except ValueError:
            search, problem = AuditSearch(), "Dates are YYYY-MM-DD."
        before = params.get("before", "")
        before = before if STREAM_ID.match(before) else ""
        records, older = await site.audit.page(search, before=before or None)
        shown = {k: params.get(k, "") for k in ("by", "action", "since", "until")}
        return site.render(
            request, "audit.html", session=session, records=records, older=older,
            newest=bool(before), search=shown, problem=problem,
            failed=await site.audit.failed_logins(),
        )  # fmt: skip

    def _search(self, by: str, action: str, since: str, until: str) -> AuditSearch:
        """ValueError on a malformed date; days are the business's (its timezone)."""

        def start(day: str, plus: int = 0) -> float | None:
            if not day.strip():
                return None
            moment = datetime.combine(date.fromisoformat(day.strip()), time(), self.site.tz)
            return (moment + timedelta(days=plus)).timestamp()

        return AuditSearch(by.strip()[:64], action.strip()[:64], start(since), start(until, 1))

    async def audit_csv(self, request: Request) -> Response:
        """The whole audit log, oldest first, then the failed sign-in counts."""
        site = self.site
        session = site.signed_in(request)
        if session is None:
            return site.to_login(request)
        await site.audit.record("export_audit", session.user or "")

        async def lines() -> AsyncIterator[str]:
            yield _csv_row(["id", "at", "by", "action", "detail"])
            async for r in site.audit.everything():
                detail = json.dumps(r.detail, ensure_ascii=False, sort_keys=True)
                yield _csv_row([r.id, _iso(r.at, site), r.by, r.action, detail])
            for f in await site.audit.failed_logins(days=400):
                detail = json.dumps({"ip": f.ip, "count": f.count, "period": "hour"})
                yield _csv_row(["", _iso(f.hour, site), "", "login_failed", detail])

        return StreamingResponse(
            lines(),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="audit.csv"'},
        )


def _csv_row(values: list[str]) -> str:
    out = io.StringIO()
    # A cell that starts like a formula is quoted as text (a spreadsheet would run it).
    safe = ["'" + v if v[:1] in ("=", "+", "-", "@") else v for v in values]
    csv.writer(out).writerow(safe)
    return out.getvalue()


def _iso(ts: float, site: Site) -> str:
    return datetime.fromtimestamp(ts, site.tz).isoformat(timespec="seconds")


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _median_to_human(s: Stats) -> float | None:
    return s.time_to_human.median


def _median_first_reply(s: Stats) -> float | None:
    return s.first_reply.median


def _presets(today: date) -> list[tuple[str, str, str]]:
    """(label, since, until) links above the metrics."""
    month = today.replace(day=1)
    last_month_end = month - timedelta(days=1)
    return [
        ("Last 7 days", (today - timedelta(days=6)).isoformat(), ""),
        ("Last 30 days", (today - timedelta(days=29)).isoformat(), ""),
        ("This month", month.isoformat(), ""),
        ("Last month", last_month_end.replace(day=1).isoformat(), last_month_end.isoformat()),
        ("All time", "", ""),
    ]
