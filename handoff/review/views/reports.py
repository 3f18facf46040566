"""Metrics with bar charts, the training examples to add, and the audit log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from handoff.core.summary import Row
from handoff.review import formatting
from handoff.review.charts import Chart, bar_chart
from handoff.review.metrics import Report, Stats, report
from handoff.review.query import BadFilter, Filters
from handoff.review.training import rasa_yaml
from handoff.review.web import Site, base

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
        records = await site.audit.recent(200)
        return site.render(request, "audit.html", session=session, records=records)


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
