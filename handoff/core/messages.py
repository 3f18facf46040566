"""What arrives from either side, as plain data: a customer's message or edit, an employee's
thread reply. The channel adapters build them; the flows take them. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from handoff.core.media import Attachment, SharedFile
from handoff.core.state import ThreadRef


@dataclass(frozen=True)
class CustomerMessage:
    update_id: int
    chat_id: int
    message_id: int
    text: str
    first_name: str
    last_name: str | None = None
    language: str | None = None
    media: str | None = None  # "photo", "document", "voice": the text is then the caption
    attachment: Attachment | None = None  # the file itself, when media is set


@dataclass(frozen=True)
class CustomerEdit:
    update_id: int
    chat_id: int
    message_id: int
    text: str  # the new text, or the new caption of a file
    first_name: str


@dataclass(frozen=True)
class EmployeeMessage:
    event_id: str
    thread: ThreadRef
    user: str
    text: str
    ts: str
    files: tuple[SharedFile, ...] = ()  # a file_share message; the text is then the comment
