"""Sniffing uploaded bytes and sanitising file names."""

from __future__ import annotations

import pytest

from services.file_types import MAX_FILENAME, check_declared, sanitize_filename, sniff


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"\xff\xd8\xff\xe0JFIF", "image/jpeg"),
        (b"GIF89a...", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.4", "application/pdf"),
        ("plain text, ünïcode\n".encode(), "text/plain"),
        ("cut at the end: é".encode()[:-1], "text/plain"),
        (b"MZ\x90\x00", None),
        (b"text with a \x00 NUL", None),
        (b"\xc3\x28 invalid utf-8 in the middle \xa0\xa1 more", None),
        (b"", None),
    ],
)
def test_sniff(head: bytes, expected: str | None) -> None:
    assert sniff(head) == expected


def test_declared_type_must_agree() -> None:
    assert check_declared("image/png", "image/png")
    assert check_declared("text/plain; charset=utf-8", "text/plain")
    assert check_declared("application/octet-stream", "application/pdf")
    assert check_declared(None, "image/gif")
    assert not check_declared("image/png", "application/pdf")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        ("..hidden", "hidden"),
        ("a\x00b\nc\u202e.txt", "abc.txt"),
        ("...", "file"),
        ("/", "file"),
    ],
)
def test_sanitize_filename(raw: str, expected: str) -> None:
    assert sanitize_filename(raw) == expected


def test_long_names_keep_their_extension() -> None:
    name = sanitize_filename("x" * 500 + ".png")
    assert len(name) == MAX_FILENAME
    assert name.endswith(".png")
