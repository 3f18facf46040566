"""One conversation: its timeline, response times and flags; marking a bot answer wrong."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from handoff.core.refusals import refusals, unreachable
from handoff.core.state import Event
from handoff.core.summary import LONG_WAIT_SECONDS
from handoff.review.session import Session
from handoff.review.timeline import timeline
from handoff.review.training import INTENT, Example
from handoff.review.web import Site, base
from handoff.storage.records.indexer import fold

CONV_ID = r"{conv_id:str}"


class ConversationViews:
    def __init__(self, site: Site) -> None:
        self.site = site

    def routes(self) -> list[Route]:
        return [
            Route(f"/c/{CONV_ID}", self.page, methods=["GET"]),
            Route(f"/c/{CONV_ID}/print", self.printable, methods=["GET"]),
            Route(f"/c/{CONV_ID}/wrong", self.mark_wrong, methods=["POST"]),
        ]

    async def page(self, request: Request) -> Response:
        return await self._show(request, "conversation.html", "view_transcript")

    async def printable(self, request: Request) -> Response:
        return await self._show(request, "print.html", "print_transcript")

    async def _show(self, request: Request, template: str, action: str) -> Response:
        site = self.site
        session = site.signed_in(request)
        if session is None:
            return site.to_login(request)
        conv_id = request.path_params["conv_id"]
        conv = await site.store.get(conv_id)
        if conv is None:
            raise HTTPException(404, "No such conversation (it may have been erased).")
        events = await site.store.transcript(conv_id)
        row, _ = fold(conv, events, conv_id)
        await site.audit.record(action, session.user or "", conversation=conv_id)
        profile = await site.store.customer(conv.chat_id)
        waiting = (
            site.config.clock() - row.handoff_at
            if row.handoff_at is not None and row.claimed_at is None
            else None
        )
        return site.render(
            request,
            template,
            session=session,
            conv=conv,
            row=row,
            customer=profile.get("first_name") or f"chat {conv.chat_id}",
            items=timeline(events),
            intents=site.config.intents,
            waiting=waiting,
            waiting_long=waiting is not None and waiting > LONG_WAIT_SECONDS,
            refused=refusals(events),  # sends the channel refused (handoff/core/refusals.py)
            unreachable=unreachable(events),
        )

    async def mark_wrong(self, request: Request) -> Response:
        site = self.site
        session, form = await site.checked_form(request)
        if not self._signed_in(session):
            return site.to_login(request)
        conv_id = request.path_params["conv_id"]
        intent = str(form.get("intent", "")).strip()
        known = site.config.intents
        if not INTENT.match(intent) or (known and intent not in known):
            raise HTTPException(400, "Choose the intent the message should have had.")
        try:
            index = int(str(form.get("index", "")))
        except ValueError:
            raise HTTPException(400, "Which answer?") from None
        conv = await site.store.get(conv_id)
        if conv is None:
            raise HTTPException(404, "No such conversation (it may have been erased).")
        items = timeline(await site.store.transcript(conv_id))
        if not 0 <= index < len(items) or items[index].kind != "bot_answer":
            raise HTTPException(400, "That entry is not a bot answer.")
        answer, by = items[index], f"supervisor:{session.user}"
        was = answer.nlu.get("intent") if answer.nlu else None
        now = site.config.clock()
        await site.store.append(
            conv_id,
            Event("marked_wrong", now, by, "marked wrong in review",
                  {"index": index, "intent": intent, "answered_intent": was}),
        )  # fmt: skip
        if answer.answered:
            await site.training.add(
                Example(conv_id, index, answer.answered, intent, str(was) if was else None, by, now)
            )
        await site.audit.record(
            "mark_wrong", session.user or "", conversation=conv_id, index=index, intent=intent
        )
        return RedirectResponse(f"{base(request)}/c/{conv_id}#e{index}", status_code=303)

    def _signed_in(self, session: Session) -> bool:
        return session.user is not None and session.user in self.site.config.accounts.hashes
