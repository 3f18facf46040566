"""Every customer channel as one ``CustomerOutbox``: each call goes to the channel named by
the customer's address (handoff/core/addresses.py), so the flows never name a channel.

The worker fills it from bot/channels.py, one entry per channel ("tg": Telegram's queued
sends); a channel that is not there is a configuration error, said once per call with
the channel's name, never a message sent somewhere else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from handoff.core.addresses import channel_of
from handoff.core.media import Download
from handoff.core.ports import ButtonRow, Signature
from handoff.errors import HandoffConfigError
from handoff.queues.outbox import CustomerOutbox
from handoff.storage.store import Extra


class UnknownChannel(HandoffConfigError):
    """A customer's address names a channel this worker was not given."""


class CustomerChannels:
    def __init__(self, channels: Mapping[str, CustomerOutbox]) -> None:
        self.channels = dict(channels)

    def of(self, chat_id: str) -> CustomerOutbox:
        channel = channel_of(chat_id)
        try:
            return self.channels[channel]
        except KeyError:
            known = ", ".join(sorted(self.channels)) or "none"
            raise UnknownChannel(f"no channel {channel!r} here (channels: {known})") from None

    async def send_text(
        self,
        chat_id: str,
        text: str,
        *,
        buttons: Sequence[ButtonRow] = (),
        signature: Signature | None = None,
    ) -> None:
        await self.of(chat_id).send_text(chat_id, text, buttons=buttons, signature=signature)

    def send_text_with_save(self, chat_id: str, text: str) -> Extra:
        return self.of(chat_id).send_text_with_save(chat_id, text)

    async def send_photo(
        self, chat_id: str, data: bytes, caption: str, signature: Signature | None = None
    ) -> None:
        await self.of(chat_id).send_photo(chat_id, data, caption, signature)

    async def send_document(
        self,
        chat_id: str,
        data: bytes,
        file_name: str,
        caption: str,
        signature: Signature | None = None,
    ) -> None:
        await self.of(chat_id).send_document(chat_id, data, file_name, caption, signature)

    async def fetch_file(self, chat_id: str, file_id: str) -> Download:
        return await self.of(chat_id).fetch_file(chat_id, file_id)

    async def edit_reply(
        self, chat_id: str, slack_ts: str, text: str, signature: Signature, *, caption: bool
    ) -> None:
        await self.of(chat_id).edit_reply(chat_id, slack_ts, text, signature, caption=caption)

    async def withdraw_reply(
        self, chat_id: str, slack_ts: str, notice: str, signature: Signature, *, delete: bool
    ) -> None:
        await self.of(chat_id).withdraw_reply(chat_id, slack_ts, notice, signature, delete=delete)
