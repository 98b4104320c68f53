"""Pictures from uploaded images: decoded safely, cropped square, resized, re-encoded.

Contract:

* :func:`render_picture` turns the bytes of an uploaded image (PNG, JPEG, GIF or WebP)
  into one WebP rendition per edge length of :data:`SIZES`, each a centred square crop.
  Only the first frame of an animation is kept; EXIF orientation is applied, then every
  piece of metadata (EXIF, ICC profile, XMP, comments) is dropped because the output is
  built from the pixels alone.
* Decompression bombs are refused before decoding the pixels: the input is at most
  :data:`MAX_SOURCE_BYTES`; the header's dimensions must each be at most
  :data:`MAX_EDGE` and their product at most :data:`MAX_PIXELS` (Pillow's own
  ``Image.MAX_IMAGE_PIXELS`` guard is set to the same cap as a second line).  Anything
  that is not a decodable image of an accepted format is :class:`PictureRefused` with a
  message fit for the client; Pillow's own errors never escape.
* The work is CPU-bound: :func:`render_picture_async` runs it in a worker thread behind
  :data:`LIMITER`, so at most two renders run at once and the event loop never blocks.
* :func:`picture_version` is a short hash of the renditions: it changes whenever the
  picture does, so URLs that carry it can be cached forever.
"""

from __future__ import annotations

import hashlib
import io
import warnings

import msgspec
import trio
from PIL import Image, ImageOps, UnidentifiedImageError

SIZES: tuple[int, ...] = (64, 256)
"""Edge lengths in pixels of the renditions; the largest is the default."""
MAX_SOURCE_BYTES = 16 * 1024 * 1024
MAX_EDGE = 8192
MAX_PIXELS = 24_000_000
ACCEPTED_FORMATS = frozenset({"PNG", "JPEG", "GIF", "WEBP"})
CONTENT_TYPE = "image/webp"
WEBP_QUALITY = 85
LIMITER = trio.CapacityLimiter(2)
"""Concurrent renders per process (each holds one decoded image in memory)."""

Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class PictureRefused(Exception):
    """The upload cannot be made a picture; ``str(error)`` is safe to show."""


class Rendition(msgspec.Struct, frozen=True, kw_only=True):
    """One encoded square picture of ``size`` pixels a side."""

    size: int
    data: bytes


def _open_checked(source: bytes) -> Image.Image:
    """The image, its header checked against the caps before any pixel is decoded."""
    if len(source) > MAX_SOURCE_BYTES:
        raise PictureRefused("the image is too large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(source), formats=sorted(ACCEPTED_FORMATS))
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PictureRefused("the file is not an image of an accepted type") from None
    except (OSError, ValueError, SyntaxError):
        raise PictureRefused("the file is not an image of an accepted type") from None
    width, height = image.size
    if width < 1 or height < 1 or width > MAX_EDGE or height > MAX_EDGE:
        raise PictureRefused("the image's dimensions are out of range")
    if width * height > MAX_PIXELS:
        raise PictureRefused("the image has too many pixels")
    return image


def _pixels(image: Image.Image) -> Image.Image:
    """The first frame, upright, as RGBA or RGB, detached from the source's metadata."""
    image.seek(0)
    image.load()
    upright = ImageOps.exif_transpose(image)
    mode = "RGBA" if "A" in upright.getbands() or "transparency" in upright.info else "RGB"
    converted = upright.convert(mode)
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    return clean


def render_picture(source: bytes) -> list[Rendition]:
    """The renditions of ``source`` (see the module docstring); blocking."""
    try:
        with _open_checked(source) as image:
            pixels = _pixels(image)
        renditions = []
        for size in SIZES:
            square = ImageOps.fit(pixels, (size, size), method=Image.Resampling.LANCZOS)
            output = io.BytesIO()
            square.save(output, format="WEBP", quality=WEBP_QUALITY, method=4)
            renditions.append(Rendition(size=size, data=output.getvalue()))
        return renditions
    except PictureRefused:
        raise
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError):
        raise PictureRefused("the image could not be decoded") from None


async def render_picture_async(source: bytes) -> list[Rendition]:
    """:func:`render_picture` in a worker thread behind :data:`LIMITER`."""
    return await trio.to_thread.run_sync(render_picture, source, limiter=LIMITER)


def picture_version(renditions: list[Rendition]) -> str:
    """A 16-hex-digit hash of the renditions' bytes."""
    digest = hashlib.sha256()
    for rendition in renditions:
        digest.update(rendition.size.to_bytes(4, "big"))
        digest.update(hashlib.sha256(rendition.data).digest())
    return digest.hexdigest()[:16]
