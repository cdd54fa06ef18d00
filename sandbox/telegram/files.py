"""Files the fake stores and serves: photos in several sizes, documents, image dimensions."""

from __future__ import annotations

import secrets
import struct
from typing import Any

from sandbox.telegram.models import StoredFile


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG image, if recognisable."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:4] == b"GIF8" and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            (segment,) = struct.unpack(">H", data[i + 2 : i + 4])
            i += 2 + segment
    return None


class FileStore:
    """The files the fake knows, by file_id and by the file_path of the download URL."""

    def __init__(self) -> None:
        self.by_id: dict[str, StoredFile] = {}
        self.by_path: dict[str, StoredFile] = {}
        self._counter = 0

    def new_file_id(self, prefix: str) -> tuple[str, str]:
        self._counter += 1
        unique = f"AQAD{self._counter:05d}{secrets.token_hex(4)}"
        return f"{prefix}{self._counter:05d}{secrets.token_urlsafe(24)}", unique

    def store(
        self,
        data: bytes,
        folder: str,
        extension: str,
        prefix: str,
        mime_type: str | None = None,
        file_name: str | None = None,
    ) -> StoredFile:
        file_id, unique = self.new_file_id(prefix)
        path = f"{folder}/file_{self._counter}.{extension}"
        stored = StoredFile(file_id, unique, data, path, mime_type, file_name)
        self.by_id[file_id] = stored
        self.by_path[path] = stored
        return stored

    def store_photo(self, data: bytes) -> list[dict[str, Any]]:
        width, height = image_size(data) or (1280, 960)
        biggest = max(width, height, 1)
        sizes: list[dict[str, Any]] = []
        for limit in (90, 320, 800, 1280, 2560):
            scale = min(1.0, limit / biggest)
            w, h = max(1, round(width * scale)), max(1, round(height * scale))
            if sizes and (w, h) == (sizes[-1]["width"], sizes[-1]["height"]):
                break
            stored = self.store(data, "photos", "jpg", "AgACAgQAAxkBAAI", "image/jpeg")
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": max(1, round(len(data) * scale * scale)),
                    "width": w,
                    "height": h,
                }
            )
            if scale >= 1.0:
                break
        sizes[-1]["file_size"] = len(data)
        return sizes

    def store_document(
        self, data: bytes, file_name: str | None, mime_type: str | None
    ) -> dict[str, Any]:
        extension = (file_name or "").rpartition(".")[2] if "." in (file_name or "") else "bin"
        stored = self.store(data, "documents", extension, "BQACAgQAAxkBAAI", mime_type, file_name)
        document: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(data),
        }
        if file_name:
            document["file_name"] = file_name
        if mime_type:
            document["mime_type"] = mime_type
        return document
