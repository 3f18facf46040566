"""File storage of the fake Telegram: file ids, download paths and image dimensions."""

from __future__ import annotations

import mimetypes
import secrets
import struct
from dataclasses import dataclass
from typing import Any

# Folder, default extension and file_id prefix per kind, shaped like the real server's.
_KINDS: dict[str, tuple[str, str, str]] = {
    "photo": ("photos", ".jpg", "AgACAgIAAxkBAA"),
    "document": ("documents", ".bin", "BQACAgIAAxkBAA"),
    "voice": ("voice", ".oga", "AwACAgIAAxkBAA"),
}
_IMAGE_EXTENSIONS = {"png": ".png", "jpeg": ".jpg", "gif": ".gif", "webp": ".webp"}


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    mime_type: str
    file_name: str | None

    def api(self) -> dict[str, Any]:
        """The Bot API `File` object (getFile result)."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


class FileStore:
    """Keeps uploaded bytes addressable by file_id (API) and file_path (downloads)."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}

    def add(
        self, data: bytes, kind: str, *, mime_type: str | None = None, file_name: str | None = None
    ) -> StoredFile:
        folder, extension, prefix = _KINDS[kind]
        image = image_format(data)
        if kind == "photo" and image is not None:
            extension = _IMAGE_EXTENSIONS[image]
        elif file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        guessed = mimetypes.guess_type(f"x{extension}")[0]
        stored = StoredFile(
            file_id=prefix + secrets.token_urlsafe(24),
            file_unique_id="AQAD" + secrets.token_urlsafe(9),
            file_path=f"{folder}/file_{len(self._by_id)}{extension}",
            data=data,
            mime_type=mime_type or guessed or "application/octet-stream",
            file_name=file_name,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        return self._by_path.get(file_path)

    def clear(self) -> None:
        self._by_id.clear()
        self._by_path.clear()


def photo_sizes(stored: StoredFile) -> list[dict[str, Any]]:
    """The `photo` array of a message. Real Telegram adds downscaled copies; one size is enough."""
    width, height = image_size(stored.data) or (0, 0)
    return [
        {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "width": width,
            "height": height,
        }
    ]


def image_format(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) read from the image header; None when it is not a readable image."""
    try:
        match image_format(data):
            case "png":
                return struct.unpack(">II", data[16:24])
            case "gif":
                return struct.unpack("<HH", data[6:10])
            case "jpeg":
                return _jpeg_size(data)
            case "webp":
                return _webp_size(data)
    except struct.error:
        return None
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    offset = 2
    while offset + 9 <= len(data):
        if data[offset] != 0xFF:
            return None
        marker = data[offset + 1]
        length = struct.unpack(">H", data[offset + 2 : offset + 4])[0]
        # Start-of-frame markers carry the dimensions (C4, C8 and CC are other segments).
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[offset + 5 : offset + 9])
            return width, height
        offset += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None
