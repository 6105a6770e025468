"""Rules for uploaded technical files, with no ORM: names, types, download headers."""

from __future__ import annotations

import mimetypes
import unicodedata
from urllib.parse import quote

# Leading bytes of the formats technical files usually come in. A file is
# recorded with what its content says it is, not only what the browser claimed.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"PK\x03\x04", "application/zip"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"\x1f\x8b", "application/gzip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    (b"<?xml", "application/xml"),
)
# Office Open XML files are zip archives; their extension tells which kind.
ZIP_BASED = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "vsdx": "application/vnd.ms-visio.drawing",
}
OLE_BASED = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "vsd": "application/vnd.visio",
}
MAX_NAME_LENGTH = 255


def clean_file_name(name: str) -> str:
    """The last path component of an uploaded name, without control characters, at most 255 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(base) > MAX_NAME_LENGTH:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: MAX_NAME_LENGTH - len(ext) - 1] + dot + ext) if dot and len(ext) < 16 else base[:MAX_NAME_LENGTH]
    return base


def extension_of(name: str) -> str:
    """The lower-case extension without its dot; "" when there is none."""
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def extension_allowed(name: str, allowed: list[str]) -> bool:
    return extension_of(name) in {item.lower().lstrip(".") for item in allowed}


def sniff_content_type(head: bytes, name: str, declared: str | None) -> str:
    """What the file is: its signature first, then the declared type, then the extension."""
    ext = extension_of(name)
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            if kind == "application/zip":
                return ZIP_BASED.get(ext, kind)
            if kind == "application/x-ole-storage":
                return OLE_BASED.get(ext, kind)
            return kind
    declared = (declared or "").split(";")[0].strip().lower()
    if declared and declared != "application/octet-stream" and "/" in declared:
        return declared[:100]
    guessed, _encoding = mimetypes.guess_type(f"x.{ext}") if ext else (None, None)
    return guessed or "application/octet-stream"


def attachment_disposition(name: str) -> str:
    """A Content-Disposition that forces a download and keeps a Chinese name (RFC 6266 / 5987).

    Old clients read the ASCII ``filename``; every current browser prefers ``filename*``.
    """
    ext = extension_of(name)
    ascii_name = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\;' else "_" for ch in name)
    stem = ascii_name.rpartition(".")[0] if ext else ascii_name
    if not stem.strip("_. "):
        ascii_name = f"download.{ext}" if ext else "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
