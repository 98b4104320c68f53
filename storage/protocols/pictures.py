"""The protocol of pictures (avatars, topic and room pictures): one per subject."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from storage.records.pictures import Picture


class PictureStore(Protocol):
    """At most one :class:`Picture` per subject; the blobs they name live in the blob store."""

    async def put(self, picture: Picture) -> Picture | None:
        """Store ``picture`` as its subject's picture; returns the one it replaced (whose
        blobs the caller deletes), or None."""
        ...

    async def get(self, subject: str) -> Picture:
        """Raises ``NotFound`` when the subject has no picture."""
        ...

    async def delete(self, subject: str) -> Picture:
        """Remove the subject's picture and return it; ``NotFound`` when there is none."""
        ...

    async def versions(self, subjects: Sequence[str]) -> dict[str, str]:
        """The current version of each subject among ``subjects`` that has a picture."""
        ...
