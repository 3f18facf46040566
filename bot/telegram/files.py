"""Reading files and edits off PTB's ``Message``: what the customer sent, before any download."""

from __future__ import annotations

from telegram import Message

from bot.telegram.channel import NAME
from handoff.core.media import Attachment
from handoff.core.messages import CustomerEdit


def attachment_of(message: Message) -> Attachment | None:
    if message.photo:
        largest = message.photo[-1]  # Telegram lists the sizes smallest first
        return Attachment("photo", largest.file_id, largest.file_size, mime_type="image/jpeg")
    for kind in ("document", "voice", "audio", "video"):
        file = getattr(message, kind)
        if file is not None:
            return Attachment(
                kind,
                file.file_id,
                file.file_size,
                file_name=getattr(file, "file_name", None),
                mime_type=file.mime_type,
            )
    return None


def to_customer_edit(update_id: int, message: Message) -> CustomerEdit:
    user = message.from_user
    return CustomerEdit(
        channel=NAME,
        sender_id=str(message.chat_id),
        event_id=str(update_id),
        message_id=message.message_id,
        text=message.text or message.caption or "",
        first_name=user.first_name if user else "Customer",
    )
