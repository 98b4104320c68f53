"""Pictures from uploads: safe decoding, square renditions, no metadata, bombs refused."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from services.pictures import (
    MAX_SOURCE_BYTES,
    SIZES,
    PictureRefused,
    picture_version,
    render_picture,
    render_picture_async,
)


def encoded(image: Image.Image, format: str, **options: object) -> bytes:
    output = io.BytesIO()
    image.save(output, format=format, **options)
    return output.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` pixels, with almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def test_renditions_are_squares_in_every_size_without_metadata() -> None:
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"
    exif[0x0112] = 6  # rotated: applied, then dropped
    source = encoded(Image.new("RGB", (400, 100), (1, 2, 3)), "JPEG", exif=exif)
    renditions = render_picture(source)
    assert [rendition.size for rendition in renditions] == list(SIZES)
    for rendition in renditions:
        image = Image.open(io.BytesIO(rendition.data))
        assert image.format == "WEBP"
        assert image.size == (rendition.size, rendition.size)
        assert not image.getexif()
        assert "icc_profile" not in image.info
        assert b"SecretCamera" not in rendition.data


def test_transparency_and_animation_keep_the_first_frame() -> None:
    frames = [Image.new("RGBA", (80, 80), (255, 0, 0, 0)), Image.new("RGBA", (80, 80), "blue")]
    source = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:])
    (small, *_) = render_picture(source)
    assert Image.open(io.BytesIO(small.data)).n_frames == 1


@pytest.mark.parametrize(
    "source",
    [
        png_header(20_000, 20_000),  # far past the pixel cap: a decompression bomb
        png_header(9000, 10),  # an edge past MAX_EDGE
        png_header(6000, 6000),  # past MAX_PIXELS, under Pillow's own error threshold
        b"",
        b"not an image at all",
        png_header(10, 10),  # a valid header with no pixel data
        b"%PDF-1.7\n" + b"0" * 100,
        encoded(Image.new("RGB", (8, 8)), "BMP"),  # a format we do not accept
    ],
)
def test_what_cannot_be_a_picture_is_refused_with_a_message(source: bytes) -> None:
    with pytest.raises(PictureRefused) as refused:
        render_picture(source)
    assert str(refused.value)


def test_oversized_sources_are_refused_before_decoding() -> None:
    with pytest.raises(PictureRefused, match="too large"):
        render_picture(b"\x89PNG\r\n\x1a\n" + b"\x00" * MAX_SOURCE_BYTES)


def test_the_version_follows_the_pixels() -> None:
    red = render_picture(encoded(Image.new("RGB", (50, 50), "red"), "PNG"))
    again = render_picture(encoded(Image.new("RGB", (70, 70), "red"), "PNG"))
    blue = render_picture(encoded(Image.new("RGB", (50, 50), "blue"), "PNG"))
    assert picture_version(red) == picture_version(again)
    assert picture_version(red) != picture_version(blue)
    assert len(picture_version(red)) == 16


async def test_rendering_runs_off_the_event_loop() -> None:
    renditions = await render_picture_async(encoded(Image.new("RGB", (30, 30)), "WEBP"))
    assert [rendition.size for rendition in renditions] == list(SIZES)
