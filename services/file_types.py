"""What an uploaded file is, judged from its bytes, and a safe name for it.

Contract:

* :func:`sniff` returns the content type of the first bytes of a file: PNG, JPEG, GIF,
  WebP, PDF or plain text (UTF-8 without NUL or other control characters except tab and
  line breaks), or None for anything else.  :data:`SNIFF_BYTES` bytes suffice.
* :func:`check_declared` accepts a declared type that matches the sniffed one (ignoring
  parameters such as ``charset``); ``application/octet-stream`` or no declaration means
  "whatever it really is".
* :func:`sanitize_filename` keeps the last path component, drops control characters and
  leading dots, and limits the name to :data:`MAX_FILENAME` characters (keeping the
  extension); it never returns an empty name.
* :data:`INLINE_TYPES` are the image types safe to show inline; everything else is
  served as an attachment.
"""

from __future__ import annotations

import unicodedata

SNIFF_BYTES = 512
MAX_FILENAME = 120
FALLBACK_NAME = "file"

ALLOWED_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"}
)
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)


def sniff(head: bytes) -> str | None:
    """The allowed content type of a file starting with ``head``, or None."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head and _is_text(head):
        return "text/plain"
    return None


def _is_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        # only a multi-byte character cut off by the end of ``head`` is forgiven
        if error.reason != "unexpected end of data" or error.start < len(head) - 3:
            return False
        text = head[: error.start].decode("utf-8")
    return all(char in "\t\n\r\f" or unicodedata.category(char) != "Cc" for char in text)


def check_declared(declared: str | None, sniffed: str) -> bool:
    """True when the declared type agrees with the sniffed one (see the module docs)."""
    if not declared:
        return True
    base = declared.split(";", 1)[0].strip().lower()
    return base in ("", "application/octet-stream", sniffed)


def sanitize_filename(raw: str) -> str:
    """A display name without path components or control characters; see the module."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    name = name.strip().lstrip(".").strip()
    if len(name) > MAX_FILENAME:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: MAX_FILENAME - len(extension) - 1] + "." + extension
        else:
            name = name[:MAX_FILENAME]
    return name or FALLBACK_NAME
