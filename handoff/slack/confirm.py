"""The buttons of "Alex's last message is unanswered … Resolve anyway?" (a private message).

The conversation's id travels in the buttons' value; the outcome replaces the question.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from handoff.core.staff import Act
from handoff.flows.desk import DeskFlow
from handoff.flows.unanswered import (
    ACTION_CANCEL_CLOSE,
    ACTION_CONFIRM_BACK_TO_BOT,
    ACTION_CONFIRM_RESOLVE,
)
from handoff.texts.unanswered import cancelled


class ConfirmButtons:
    def __init__(self, flow: DeskFlow) -> None:
        self.flow = flow

    def register(self, app: AsyncApp) -> None:
        app.action(ACTION_CONFIRM_RESOLVE)(self.resolve)
        app.action(ACTION_CONFIRM_BACK_TO_BOT)(self.back_to_bot)
        app.action(ACTION_CANCEL_CLOSE)(self.cancel)

    async def resolve(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        conv_id, user = _conversation_and_user(body)
        await respond(
            text=await self.flow.confirm(conv_id, user, Act.RESOLVE), replace_original=True
        )

    async def back_to_bot(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        conv_id, user = _conversation_and_user(body)
        text = await self.flow.confirm(conv_id, user, Act.BACK_TO_BOT)
        await respond(text=text, replace_original=True)

    async def cancel(self, ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack()
        await respond(text=cancelled(), replace_original=True)


def _conversation_and_user(body: dict[str, Any]) -> tuple[str, str]:
    return str(body["actions"][0].get("value") or ""), str(body["user"]["id"])
