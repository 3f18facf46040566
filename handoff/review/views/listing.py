"""The conversation list (filters, search, paging) and its CSV / JSON Lines exports.

People's words are shown with their invisible format characters as marks
(handoff/texts/bidi.py), on the pages (the ``visible`` filter) and in the exports.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from handoff.core.summary import FLAGS
from handoff.review.query import RATINGS, SENTIMENTS, STATUSES, BadFilter, Filters, Listed
from handoff.review.web import Site
from handoff.texts.bidi import visible

COLUMNS = (
    "conversation", "opened", "customer", "chat_id", "store", "status", "handoff_reason",
    "claimed_by", "employees", "time_to_human_s", "first_reply_s", "resolution_s", "rating",
    "min_sentiment", "flags", "customer_messages", "bot_answers", "human_replies",
)  # fmt: skip


class ListViews:
    def __init__(self, site: Site) -> None:
        self.site = site

    def routes(self) -> list[Route]:
        return [
            Route("/", self.list_page, methods=["GET"]),
            Route("/export.csv", self.export_csv, methods=["GET"]),
            Route("/export.jsonl", self.export_jsonl, methods=["GET"]),
        ]

    async def list_page(self, request: Request) -> Response:
        site = self.site
        session = site.signed_in(request)
        if session is None:
            return site.to_login(request)
        try:
            filters = Filters.from_params(request.query_params)
            offset = max(0, int(request.query_params.get("offset", "0") or 0))
        except (BadFilter, ValueError) as exc:
            filters, offset = Filters(), 0
            problem = str(exc)
        else:
            problem = ""
        page = await site.query.page(filters, offset)
        params = filters.params()
        return site.render(
            request,
            "list.html",
            session=session,
            page=page,
            filters=filters,
            problem=problem,
            query=urlencode(params),
            next_query=urlencode({**params, "offset": page.next_offset or 0}),
            choices=await self._choices(),
        )

    async def _choices(self) -> dict[str, Any]:
        site = self.site
        return {
            "stores": [(s.id, s.name) for s in site.config.stores],
            "employees": [(e.slack_user_id, e.full_name) for e in site.config.employees],
            "statuses": STATUSES,
            "reasons": await site.query.reasons(),
            "sentiments": SENTIMENTS,
            "ratings": RATINGS,
            "flags": ("any", *FLAGS),
        }

    async def export_csv(self, request: Request) -> Response:
        return await self._export(request, "csv")

    async def export_jsonl(self, request: Request) -> Response:
        return await self._export(request, "jsonl")

    async def _export(self, request: Request, fmt: str) -> Response:
        site = self.site
        session = site.signed_in(request)
        if session is None:
            return site.to_login(request)
        try:
            filters = Filters.from_params(request.query_params)
        except BadFilter as exc:
            return Response(str(exc), status_code=400, media_type="text/plain")
        total = (await site.query.page(filters, 0, 0)).total
        await site.audit.record(
            "export", session.user or "", format=fmt, count=total,
            filters=json.dumps(filters.params(), sort_keys=True),
        )  # fmt: skip
        stamp = datetime.fromtimestamp(site.config.clock(), site.tz).strftime("%Y%m%d-%H%M")
        media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson"
        return StreamingResponse(
            self._lines(filters, fmt),
            media_type=media,
            headers={
                "content-disposition": f'attachment; filename="tandem-conversations-{stamp}.{fmt}"'
            },
        )

    async def _lines(self, filters: Filters, fmt: str) -> AsyncIterator[str]:
        if fmt == "csv":
            yield _csv_line(COLUMNS)
        async for chunk in self.site.query.all(filters):
            for listed in chunk:
                record = self._record(listed)
                if fmt == "csv":
                    yield _csv_line([_cell(record[c]) for c in COLUMNS])
                else:
                    yield json.dumps(record, ensure_ascii=False) + "\n"

    def _record(self, listed: Listed) -> dict[str, Any]:
        row, site = listed.row, self.site
        record = {
            "conversation": row.id,
            "opened": datetime.fromtimestamp(row.opened, site.tz).isoformat(timespec="seconds"),
            "customer": listed.customer,
            "chat_id": row.chat_id,
            "store": row.store,
            "status": row.status,
            "handoff_reason": row.reason,
            "claimed_by": site.person(row.claimed_by) if row.claimed_by else None,
            "employees": [site.person(e) for e in row.employees],
            "time_to_human_s": _round(row.time_to_human),
            "first_reply_s": _round(row.first_reply),
            "resolution_s": _round(row.resolution),
            "rating": row.rating,
            "min_sentiment": row.min_sentiment,
            "flags": list(row.flags),
            "customer_messages": row.customer_messages,
            "bot_answers": row.bot_answers,
            "human_replies": row.human_replies,
        }
        return {key: _visible(value) for key, value in record.items()}


def _visible(value: Any) -> Any:
    """A value as exported: words with their format characters as marks."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, list):
        return [_visible(v) for v in value]
    return value


def _round(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 1)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    # A cell starting like a formula would run as one in a spreadsheet.
    return (
        f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(text) else text
    )


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _csv_line(cells: Any) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(cells)
    return out.getvalue()
