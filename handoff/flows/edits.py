"""A customer edits a message they sent: the thread shows the new text, the transcript both.

The transcript is append-only, so an edit is a new ``edit`` event with the previous text,
never a rewrite. The bot does not answer an edit again, even of a message it answered.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from handoff.core.media import edited
from handoff.core.messages import CustomerEdit
from handoff.core.state import Conversation, Event, Status
from handoff.flows.context import Context
from handoff.storage.message_map import MessageMap, Posted

log = logging.getLogger(__name__)


def latest_text(events: Iterable[Event], message_id: int) -> str | None:
    """The message's text as last seen: as sent, or as of its latest edit."""
    text = None
    for event in events:
        same = event.detail.get("message_id") == message_id
        if same and event.kind in ("customer_message", "edit"):
            text = str(event.detail.get("text") or "")
    return text


class EditFlow:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.map = MessageMap(ctx.store)

    async def on_edit(self, edit: CustomerEdit) -> None:
        ctx = self.ctx
        async with ctx.store.chat_lock(edit.chat_id):
            if await ctx.store.seen(edit.channel, edit.event_id, chat_id=edit.chat_id):
                return
            posted = await self.map.find(edit.chat_id, edit.message_id)
            if posted is not None:
                conv = await ctx.store.get(posted.conversation_id)
            else:  # older than the map keeps: it belongs with what the customer sees now
                conv = await ctx.store.current(edit.chat_id)
            if conv is not None:
                await self._record(conv, edit, posted)
            await ctx.store.mark_seen(edit.channel, edit.event_id, chat_id=edit.chat_id)

    async def _record(self, conv: Conversation, edit: CustomerEdit, posted: Posted | None) -> None:
        ctx = self.ctx
        previous = latest_text(await ctx.store.transcript(conv.id), edit.message_id)
        if previous == edit.text:
            return  # Telegram also reports changes we do not show (e.g. link previews)
        detail = {"message_id": edit.message_id, "previous": previous, "text": edit.text}
        await ctx.store.append(conv.id, Event("edit", ctx.now(), "customer", detail=detail))
        log.info("customer edit recorded", extra={"conversation": conv.id})
        if conv.thread is None:
            return
        shown = edited(edit.text)
        if posted is not None and posted.slack_ts:
            await ctx.desk.update_customer_message(
                conv.thread, posted.slack_ts, edit.first_name, shown
            )
        elif conv.status in (Status.PENDING, Status.HUMAN):
            # It was on the card or with a file: show the new text below, where people look,
            # and update that post if the customer edits again.
            ts = await ctx.desk.post_customer_message(conv.thread, edit.first_name, shown)
            if ts:
                await self.map.record(edit.chat_id, edit.message_id, conv.id, ts)
