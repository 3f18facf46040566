"""Pure helpers for files, edits and meeting the person (handoff.core.media, meeting, edit_flow)."""

from __future__ import annotations

import struct
from dataclasses import replace
from types import SimpleNamespace
from typing import Any, cast

import pytest
from telegram import Bot

from bot.telegram.channel import TELEGRAM_CAPTION_LIMIT, TelegramChannel
from handoff.core.media import (
    MAX_FILE_BYTES,
    MAX_PHOTO_BYTES,
    Attachment,
    SharedFile,
    files_detail,
    human_size,
    image_size,
    photo_file_name,
    photo_fits,
    sends_as_photo,
    shared_files,
    too_large,
    upload_name,
)
from handoff.core.ports import Signature
from handoff.core.state import Event
from handoff.flows.edits import latest_text
from handoff.flows.meeting import HELPER_WINDOW_SECONDS, farewell, recent_helper
from handoff.slack.files import may_send_token


def test_the_limit_is_inclusive_and_an_unknown_size_is_not_refused_up_front() -> None:
    assert not too_large(MAX_FILE_BYTES)
    assert too_large(MAX_FILE_BYTES + 1)
    assert not too_large(None)  # the download itself stops at the limit


@pytest.mark.parametrize(
    ("size", "shown"),
    [(None, "unknown size"), (10, "1 KB"), (5 * 1024, "5 KB"), (21 * 1024 * 1024, "21.0 MB")],
)
def test_human_size(size: int | None, shown: str) -> None:
    assert human_size(size) == shown


def test_upload_names() -> None:
    photo = Attachment("photo", "id")
    assert upload_name(photo, 7, "https://api/file/bot1/photos/file_3.png") == "photo-7.png"
    assert upload_name(photo, 7, None) == "photo-7.jpg"
    assert upload_name(Attachment("voice", "id"), 8, "voice/file_1.oga") == "voice-8.oga"
    document = Attachment("document", "id", file_name="../../etc/receipt.pdf")
    assert upload_name(document, 9, "documents/file_2.pdf") == "receipt.pdf"


def _file(mimetype: str, size: int | None) -> SharedFile:
    return SharedFile("F1", "x", mimetype, size, "https://files.slack.com/x")


def test_images_small_enough_go_as_photos_everything_else_as_documents() -> None:
    assert sends_as_photo(_file("image/png", 1000))
    assert not sends_as_photo(_file("image/png", MAX_PHOTO_BYTES + 1))
    assert not sends_as_photo(_file("image/svg+xml", 1000))
    assert not sends_as_photo(_file("application/pdf", 1000))
    assert not sends_as_photo(_file("image/jpeg", None))


def test_shared_files_from_a_slack_event() -> None:
    raw: list[dict[str, Any]] = [
        {
            "id": "F1",
            "name": "a.png",
            "mimetype": "image/png",
            "size": 12,
            "url_private_download": "https://files.slack.com/files-pri/T-F1/download/a.png",
        },
        {"id": "F2", "title": "Notes", "file_access": "check_file_info"},
        {"name": "no id"},
    ]
    first, second = shared_files(raw)
    assert first == SharedFile("F1", "a.png", "image/png", 12, raw[0]["url_private_download"])
    assert second == SharedFile("F2", "Notes", "application/octet-stream", None, None)
    assert files_detail((first, second)) == {"files": ["a.png", "Notes"]}
    assert files_detail(()) == {}


def test_the_bot_token_only_goes_to_slacks_file_host_or_the_api_host() -> None:
    api = "http://127.0.0.1:8000/slack/api/"
    assert may_send_token("https://files.slack.com/files-pri/T-F/download/a.png", api)
    assert may_send_token("http://127.0.0.1:8000/slack/files/F1/download/a.png", api)
    assert not may_send_token("http://files.slack.com/x", api)  # never in the clear
    assert not may_send_token("https://evil.example/files/F1", api)
    assert not may_send_token("http://127.0.0.1:9999/files/F1", api)
    assert not may_send_token("file:///etc/passwd", api)


def test_latest_text_follows_the_edits_of_one_message() -> None:
    events = [
        Event("customer_message", 1, "customer", detail={"message_id": 5, "text": "one"}),
        Event("customer_message", 2, "customer", detail={"message_id": 6, "text": "other"}),
        Event("edit", 3, "customer", detail={"message_id": 5, "previous": "one", "text": "two"}),
        Event("bot_answer", 4, "bot", detail={"text": "answer"}),
    ]
    assert latest_text(events, 5) == "two"
    assert latest_text(events, 6) == "other"
    assert latest_text(events, 7) is None


def test_the_last_helper_counts_for_24_hours() -> None:
    profile = {"last_helper": "luis-ortega", "last_helper_at": "1000.0"}
    assert recent_helper(profile, 1000.0 + HELPER_WINDOW_SECONDS) == "luis-ortega"
    assert recent_helper(profile, 1000.0 + HELPER_WINDOW_SECONDS + 1) is None
    assert recent_helper({"last_helper": "luis-ortega"}, 1000.0) is None  # when is unknown
    assert recent_helper({**profile, "last_helper_at": "soon"}, 1000.0) is None
    assert recent_helper(profile, 999.0) is None  # a clock gone backwards proves nothing


def test_farewells_name_only_someone_who_had_joined() -> None:
    assert farewell("Maria", resolved=False) == (
        "Maria has left the chat; the assistant is back if you need anything else."
    )
    assert farewell("Maria", resolved=True).startswith("Maria has left the chat.")
    for resolved in (False, True):
        text = farewell(None, resolved=resolved)
        assert "left" not in text
        assert text.startswith("Our team")


class _RecordingBot:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def send_photo(self, chat_id: int, **kwargs: Any) -> SimpleNamespace:
        self.calls.append(("photo", kwargs))
        return SimpleNamespace(message_id=len(self.calls))  # what PTB returns: the Message

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> SimpleNamespace:
        self.calls.append(("message", {"text": text}))
        return SimpleNamespace(message_id=len(self.calls))


async def test_a_caption_too_long_for_telegram_follows_the_photo_as_text() -> None:
    bot = _RecordingBot()
    channel = TelegramChannel(cast(Bot, bot))
    long = "word " * (TELEGRAM_CAPTION_LIMIT // 4)
    await channel.send_photo("1", b"jpeg", long, Signature("Maria", "Downtown"))
    (kind, photo), (kind2, message) = bot.calls
    assert (kind, kind2) == ("photo", "message")
    assert photo["caption"] == "<b>Maria</b> · Downtown"
    assert message["text"].startswith("<b>Maria</b> · Downtown\nword word")

    bot.calls.clear()
    await channel.send_photo("1", b"jpeg", "short & sweet")
    assert bot.calls == [
        ("photo", {"caption": "short &amp; sweet", "parse_mode": "HTML", "photo": b"jpeg"})
    ]


def _png_header(width: int, height: int) -> bytes:
    """The start of a PNG: enough for Telegram's checks and ours (the header)."""
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + struct.pack(">II", width, height)


def _jpeg_header(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0\x00\x11\x08" + struct.pack(">HH", height, width) + b"\x03" + b"\x00" * 9
    return b"\xff\xd8" + app0 + sof


@pytest.mark.parametrize(
    ("width", "height", "fits"),
    [
        (1280, 960, True),
        (9_000, 1_000, True),  # width + height exactly 10,000
        (9_001, 1_000, False),
        (12_000, 400, False),
        (2_000, 100, True),  # a side exactly 20 times the other
        (2_001, 100, False),
        (100, 2_001, False),
        (0, 10, False),
    ],
)
def test_a_photo_fits_telegram_within_its_pixel_limits(width: int, height: int, fits: bool) -> None:
    assert image_size(_png_header(width, height)) == (width, height)
    assert photo_fits(_png_header(width, height)) is fits
    assert image_size(_jpeg_header(width, height)) == (width, height)
    assert photo_fits(_jpeg_header(width, height)) is fits


def test_over_10_mb_or_unreadable_is_no_photo() -> None:
    assert not photo_fits(_png_header(100, 100) + b"\0" * (MAX_PHOTO_BYTES + 1))
    assert not photo_fits(b"%PDF-1.4 not an image")
    assert image_size(b"\x89PNG\r\n\x1a\n") is None  # cut short


def test_an_image_telegram_would_refuse_goes_as_a_document() -> None:
    wide = _png_header(12_000, 400)
    file = SharedFile("F1", "panorama.png", "image/png", len(wide), None)
    assert sends_as_photo(file)  # by its size alone it would be a photo...
    assert not sends_as_photo(file, wide)  # ...but not by its pixels
    square = _png_header(800, 800)
    assert sends_as_photo(replace(file, size=len(square)), square)
    assert photo_file_name(wide) == "image.png"
    assert photo_file_name(_jpeg_header(10, 10)) == "image.jpg"
    assert photo_file_name(b"????") == "image.bin"
