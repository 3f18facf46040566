"""In-memory channel and desk that collect what the flows send, as Rasa's
``CollectingOutputChannel`` does: a second channel for tests, with no SDK behind it.

``send_text_with_save`` and ``post_customer_message_with_save`` keep the outbox's promise
(sent if and only if the save's transaction runs): what they return is run by the save,
and only then is the message collected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import count

from handoff.core.media import Download, SharedFile
from handoff.core.ports import ButtonRow, Choice, HandoffCard, Signature
from handoff.core.state import ThreadRef
from handoff.storage.store import Extra


@dataclass(frozen=True)
class Sent:
    chat_id: str
    text: str
    signature: Signature | None = None
    buttons: tuple[ButtonRow, ...] = ()


@dataclass
class CollectingChannel:
    sent: list[Sent] = field(default_factory=list)
    files: dict[str, Download] = field(default_factory=dict)  # file id -> what it holds

    def texts(self, chat_id: str) -> list[str]:
        return [s.text for s in self.sent if s.chat_id == chat_id]

    async def send_text(
        self,
        chat_id: str,
        text: str,
        *,
        buttons: Sequence[ButtonRow] = (),
        signature: Signature | None = None,
    ) -> None:
        self.sent.append(Sent(chat_id, text, signature, tuple(buttons)))

    def send_text_with_save(self, chat_id: str, text: str) -> Extra:
        def on_save(pipe: object) -> None:
            self.sent.append(Sent(chat_id, text))

        return on_save

    async def send_photo(
        self, chat_id: str, data: bytes, caption: str, signature: Signature | None = None
    ) -> None:
        self.sent.append(Sent(chat_id, f"[photo] {caption}", signature))

    async def send_document(
        self,
        chat_id: str,
        data: bytes,
        file_name: str,
        caption: str,
        signature: Signature | None = None,
    ) -> None:
        self.sent.append(Sent(chat_id, f"[{file_name}] {caption}", signature))

    async def fetch_file(self, chat_id: str, file_id: str) -> Download:
        return self.files[file_id]

    async def edit_reply(
        self, chat_id: str, slack_ts: str, text: str, signature: Signature, *, caption: bool
    ) -> None:
        self.sent.append(Sent(chat_id, f"[edit {slack_ts}] {text}", signature))

    async def withdraw_reply(
        self, chat_id: str, slack_ts: str, notice: str, signature: Signature, *, delete: bool
    ) -> None:
        how = "delete" if delete else "notice"
        self.sent.append(Sent(chat_id, f"[withdraw {slack_ts} {how}] {notice}", signature))


@dataclass
class CollectingDesk:
    cards: list[tuple[str, HandoffCard]] = field(default_factory=list)
    posts: list[tuple[ThreadRef, str]] = field(default_factory=list)
    _ts: count[int] = field(default_factory=lambda: count(1))

    def _next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    async def open_thread(self, channel: str, card: HandoffCard) -> ThreadRef:
        self.cards.append((channel, card))
        return ThreadRef(channel, self._next_ts())

    async def refresh_card(self, thread: ThreadRef, card: HandoffCard) -> None:
        self.cards.append((thread.channel, card))

    async def post_customer_message(
        self, thread: ThreadRef, customer_name: str, text: str
    ) -> str | None:
        self.posts.append((thread, f"{customer_name}: {text}"))
        return self._next_ts()

    def post_customer_message_with_save(
        self, thread: ThreadRef, conversation_id: str, customer_name: str, text: str
    ) -> tuple[str, Extra]:
        ts = self._next_ts()

        def on_save(pipe: object) -> None:
            self.posts.append((thread, f"{customer_name}: {text}"))

        return ts, on_save

    async def update_customer_message(
        self, thread: ThreadRef, ts: str, customer_name: str, text: str
    ) -> None:
        self.posts.append((thread, f"{customer_name} (edited): {text}"))

    async def upload_file(
        self, thread: ThreadRef, data: bytes, file_name: str, comment: str
    ) -> None:
        self.posts.append((thread, f"[{file_name}] {comment}"))

    async def download_file(self, file: SharedFile) -> bytes:
        raise AssertionError("no employee files in these tests")

    async def post_status(self, thread: ThreadRef, text: str) -> None:
        self.posts.append((thread, text))

    async def tell_employee(self, thread: ThreadRef, user: str, text: str) -> None:
        self.posts.append((thread, f"(to {user}) {text}"))

    async def ask_employee(
        self, thread: ThreadRef, user: str, text: str, choices: Sequence[Choice]
    ) -> None:
        self.posts.append((thread, f"(to {user}) {text}"))

    async def post_alert(self, thread: ThreadRef, mentions: Sequence[str], text: str) -> None:
        self.posts.append((thread, text))
