"""Messages and files crossing between the customer's chat and the Slack thread.

Customer → thread: texts are posted and their Slack ts remembered (for edits); photos,
documents and voice notes are downloaded from Telegram and uploaded into the thread.
Owner → customer: files the owner shares in the thread are sent under their name.
Files over the 20 MB limit are refused politely on both sides: nobody is left guessing.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from handoff.core.media import (
    MAX_FILE_BYTES,
    MB,
    Attachment,
    FileTooLarge,
    FileUnavailable,
    SharedFile,
    human_size,
    kind_label,
    sends_as_photo,
    too_large,
    upload_name,
)
from handoff.core.messages import CustomerMessage, EmployeeMessage
from handoff.core.ports import Signature
from handoff.core.state import Conversation, Event, ThreadRef
from handoff.flows.context import Context
from handoff.storage.message_map import MessageMap
from handoff.storage.store import Extra
from nlu.facts.directory import Employee

log = logging.getLogger(__name__)

LIMIT = f"{MAX_FILE_BYTES // MB} MB"


class CustomerPosts:
    """A customer's messages into the conversation's thread."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.map = MessageMap(ctx.store)

    def remember(self, conv: Conversation, msg: CustomerMessage) -> Extra:
        """Note the message's conversation, so a later edit finds it (in the message's save)."""
        return self.map.entry(msg.chat_id, msg.message_id, conv.id)

    async def follow_card(self, conv: Conversation, msg: CustomerMessage) -> None:
        """A new card shows the message's words; its file must follow into the thread."""
        if msg.attachment is not None and conv.thread is not None:
            await self.post(conv, msg)

    async def post(self, conv: Conversation, msg: CustomerMessage) -> None:
        thread = conv.thread
        assert thread is not None, "post only into a conversation's thread"
        if msg.attachment is not None:
            await self._post_file(conv, thread, msg, msg.attachment)
        else:
            await self._post_text(conv, msg)

    def post_text_with_save(self, conv: Conversation, msg: CustomerMessage) -> tuple[Extra, Extra]:
        """The words into the thread, and the map entry that lets an edit find the post:
        both as extras of the message's save (customer_flow)."""
        assert conv.thread is not None, "post only into a conversation's thread"
        ts, post = self.ctx.desk.post_customer_message_with_save(
            conv.thread, conv.id, msg.first_name, msg.text
        )
        return post, self.map.entry(msg.chat_id, msg.message_id, conv.id, ts)

    async def _post_text(self, conv: Conversation, msg: CustomerMessage) -> None:
        """The words into the thread, and at once the map entry that lets an edit find the
        post (a file's caption: not part of the message's save)."""
        assert conv.thread is not None, "post only into a conversation's thread"
        ts = await self.ctx.desk.post_customer_message(conv.thread, msg.first_name, msg.text)
        if ts:
            await self.map.record(msg.chat_id, msg.message_id, conv.id, ts)

    async def _post_file(
        self, conv: Conversation, thread: ThreadRef, msg: CustomerMessage, file: Attachment
    ) -> None:
        ctx = self.ctx
        try:
            if too_large(file.size):  # known from the message: do not even ask Telegram
                raise FileTooLarge(f"{file.size} bytes")
            download = await ctx.customers.fetch_file(msg.chat_id, file.file_id)
        except FileTooLarge:
            await self._refuse(conv, thread, msg, file)
            return
        name = upload_name(file, msg.message_id, download.path)
        comment = (
            f"{msg.first_name}: {msg.text}"
            if msg.text
            else f"{msg.first_name} sent a {kind_label(file)}."
        )
        await ctx.desk.upload_file(thread, download.data, name, comment)
        size = len(download.data)
        detail = {"message_id": msg.message_id, "name": name, "size": size}
        event = Event("customer_file", ctx.now(), "customer", detail=detail)
        await ctx.store.append(conv.id, event)
        log.info("customer file posted", extra={"conversation": conv.id, "size": size})

    async def _refuse(
        self, conv: Conversation, thread: ThreadRef, msg: CustomerMessage, file: Attachment
    ) -> None:
        ctx = self.ctx
        label = kind_label(file)
        text = (
            f"Sorry, that {label} is too large for me to pass on (the limit is {LIMIT}). "
            "Could you send a smaller one, or a screenshot of the important part?"
        )
        await ctx.customers.send_text(msg.chat_id, text)
        await ctx.desk.post_status(
            thread,
            f"{msg.first_name} sent a {label} ({human_size(file.size)}), over the {LIMIT} limit, "
            "so it could not be passed on. They were asked for a smaller one.",
        )
        if msg.text:  # the caption still reaches the people
            await self._post_text(conv, msg)
        detail = {"message_id": msg.message_id, "size": file.size, "text": text}
        await ctx.store.append(
            conv.id, Event("file_refused", ctx.now(), "bot", "too_large", detail)
        )
        log.info("customer file refused", extra={"conversation": conv.id, "size": file.size})


class OwnerFiles:
    """Files the conversation's owner shares in the thread, sent to the customer."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def deliver(self, conv: Conversation, msg: EmployeeMessage, employee: Employee) -> None:
        ctx = self.ctx
        signature = Signature(employee.name, ctx.stores.get(employee.store).name)
        sent: list[SharedFile] = []
        refused: list[SharedFile] = []
        for file in msg.files:
            try:
                data = await ctx.desk.download_file(file)
            except FileTooLarge:
                refused.append(file)
                continue
            except FileUnavailable as exc:  # a sign-in page, a redirect...: never forwarded
                await ctx.desk.post_status(
                    msg.thread,
                    f"{file.name}: not sent to the customer ({exc}). Share it again, or a link.",
                )
                continue
            words = "" if sent else msg.text  # the words go with the first file
            if sends_as_photo(replace(file, size=len(data)), data):  # else as a document
                await ctx.customers.send_photo(conv.chat_id, data, words, signature)
            else:
                await ctx.customers.send_document(conv.chat_id, data, file.name, words, signature)
            sent.append(file)
        if msg.text and not sent:
            await ctx.customers.send_text(conv.chat_id, msg.text, signature=signature)
        if refused:
            await self._refused(conv, msg, employee, refused)
        detail = {
            "text": msg.text,
            "ts": msg.ts,
            "files": [{"name": f.name, "size": f.size} for f in sent],
            "refused": [{"name": f.name, "size": f.size} for f in refused],
        }
        await ctx.store.append(conv.id, Event("employee_reply", ctx.now(), msg.user, detail=detail))
        log.info("employee files sent", extra={"conversation": conv.id, "files": len(sent)})

    async def _refused(
        self,
        conv: Conversation,
        msg: EmployeeMessage,
        employee: Employee,
        refused: list[SharedFile],
    ) -> None:
        ctx = self.ctx
        one = len(refused) == 1
        await ctx.customers.send_text(
            conv.chat_id,
            f"{employee.name} tried to send you {'a file' if one else 'some files'} too large "
            f"for this chat (over {LIMIT}); they will share {'it' if one else 'them'} "
            "another way.",
        )
        names = ", ".join(f"{f.name} ({human_size(f.size)})" for f in refused)
        await ctx.desk.post_status(
            msg.thread,
            f"{names}: over the {LIMIT} limit of Telegram, so the customer did not get "
            f"{'it' if one else 'them'}; they were told. Share a smaller file or a link instead.",
        )
