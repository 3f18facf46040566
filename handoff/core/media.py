"""Files between customers and employees: what they are, how big they may be. Pure, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

MB = 1024 * 1024
# Telegram bots can download (getFile) at most 20 MB; we refuse bigger files both ways
# so a customer never gets a file an employee could not have received, and vice versa.
MAX_FILE_BYTES = 20 * MB
# sendPhoto accepts at most 10 MB; bigger images still reach the customer, as documents.
MAX_PHOTO_BYTES = 10 * MB
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


def sends_as_photo(file: SharedFile) -> bool:
    """Telegram shows photos inline; other files, and images too big for sendPhoto, as documents."""
    small = file.size is not None and file.size <= MAX_PHOTO_BYTES
    return file.mimetype in PHOTO_TYPES and small


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
