"""Files between customers and employees: what they are, how big they may be. Pure, no I/O."""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

MB = 1024 * 1024
# Telegram bots can download (getFile) at most 20 MB; we refuse bigger files both ways
# so a customer never gets a file an employee could not have received, and vice versa.
MAX_FILE_BYTES = 20 * MB
# sendPhoto accepts at most 10 MB, width + height at most 10,000 pixels and one side at
# most 20 times the other (Bot API, sendPhoto); other images reach the customer as documents.
MAX_PHOTO_BYTES = 10 * MB
MAX_PHOTO_SIDES = 10_000
MAX_PHOTO_RATIO = 20
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})

_DEFAULT_EXTENSIONS = {
    "photo": ".jpg",
    "voice": ".ogg",
    "audio": ".mp3",
    "video": ".mp4",
    "document": ".bin",
}
KIND_LABELS = {"photo": "photo", "voice": "voice note", "audio": "audio file", "video": "video"}


class FileTooLarge(Exception):
    """The file is over the limit; nothing was downloaded."""


class FileUnavailable(Exception):
    """The file could not be fetched, and will not be by trying again: the service answered
    a sign-in page, a redirect or a 404 instead, or cut the body short. Says why."""


@dataclass(frozen=True)
class Attachment:
    """A customer's file on Telegram, as the message describes it (not yet downloaded)."""

    kind: str  # photo, document, voice, audio, video
    file_id: str
    size: int | None = None
    file_name: str | None = None
    mime_type: str | None = None


@dataclass(frozen=True)
class Download:
    data: bytes
    path: str | None = None  # where the server keeps it; its extension names the format


@dataclass(frozen=True)
class SharedFile:
    """A file an employee shared in a Slack thread."""

    id: str
    name: str
    mimetype: str
    size: int | None
    url: str | None  # url_private_download; None when Slack left it out (files.info has it)


def too_large(size: int | None) -> bool:
    return size is not None and size > MAX_FILE_BYTES


def human_size(size: int | None) -> str:
    if size is None:
        return "unknown size"
    if size >= MB:
        return f"{size / MB:.1f} MB"
    return f"{max(size // 1024, 1)} KB"


def kind_label(attachment: Attachment) -> str:
    return KIND_LABELS.get(attachment.kind, "file")


def upload_name(attachment: Attachment, message_id: int, path: str | None) -> str:
    """A file name for Slack: the customer's own for documents, else kind-message_id.ext."""
    if attachment.file_name:
        return PurePosixPath(attachment.file_name).name or attachment.file_name
    suffix = PurePosixPath(path).suffix if path else ""
    return f"{attachment.kind}-{message_id}{suffix or _DEFAULT_EXTENSIONS.get(attachment.kind, '')}"


def sends_as_photo(file: SharedFile, data: bytes | None = None) -> bool:
    """Telegram shows photos inline; other files, and images sendPhoto would refuse (too
    big; with ``data``, also too large or too narrow in pixels), as documents."""
    small = file.size is not None and file.size <= MAX_PHOTO_BYTES
    return file.mimetype in PHOTO_TYPES and small and (data is None or photo_fits(data))


def photo_fits(data: bytes) -> bool:
    """Telegram takes these bytes as a photo: a readable image within sendPhoto's limits."""
    size = image_size(data)
    if size is None or len(data) > MAX_PHOTO_BYTES:
        return False
    width, height = size
    if min(width, height) < 1:
        return False
    return width + height <= MAX_PHOTO_SIDES and max(width, height) <= MAX_PHOTO_RATIO * min(
        width, height
    )


def photo_file_name(data: bytes) -> str:
    """A name for an image sent as a document, with the extension of its format."""
    formats = ((b"\x89PNG", ".png"), (b"GIF8", ".gif"), (b"\xff\xd8", ".jpg"))
    extension = next((ext for magic, ext in formats if data.startswith(magic)), None)
    if extension is None:
        extension = ".webp" if data[:4] == b"RIFF" and data[8:12] == b"WEBP" else ".bin"
    return f"image{extension}"


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG, GIF, JPEG or WebP header; None for anything else."""
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n"):
            return _pair(struct.unpack(">II", data[16:24]))
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return _pair(struct.unpack("<HH", data[6:10]))
        if data.startswith(b"\xff\xd8"):
            return _jpeg_size(data)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp_size(data)
    except struct.error:
        return None
    return None


def _pair(values: tuple[int, ...]) -> tuple[int, int]:
    return values[0], values[1]


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    offset = 2
    while offset + 9 <= len(data):
        if data[offset] != 0xFF:
            return None
        marker = data[offset + 1]
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        # Start-of-frame markers carry the size (C4, C8 and CC are other segments).
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[offset + 5 : offset + 9])
            return width, height
        offset += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None


def shared_files(raw: Iterable[Mapping[str, Any]]) -> tuple[SharedFile, ...]:
    """The files of a Slack ``file_share`` message event."""
    files = []
    for item in raw:
        if not item.get("id"):
            continue
        size = item.get("size")
        files.append(
            SharedFile(
                id=str(item["id"]),
                name=str(item.get("name") or item.get("title") or item["id"]),
                mimetype=str(item.get("mimetype") or "application/octet-stream"),
                size=int(size) if isinstance(size, int | str) and str(size).isdigit() else None,
                url=str(item["url_private_download"]) if item.get("url_private_download") else None,
            )
        )
    return tuple(files)


def edited(text: str) -> str:
    return f"{text} (edited)"


def files_detail(files: Iterable[SharedFile]) -> dict[str, list[str]]:
    """For a transcript entry: the names of the files a message carried, if any."""
    names = [f.name for f in files]
    return {"files": names} if names else {}
