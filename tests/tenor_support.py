"""Tenor v2 answers shared by the GIF unit tests and the fake Tenor of the e2e tests."""

from __future__ import annotations

from typing import Any

TENOR_PAGE: dict[str, Any] = {
    "results": [
        {
            "id": "g1",
            "content_description": "a cat",
            "media_formats": {
                "gif": {"url": "https://media.example/g1.gif", "dims": [220, 140]},
                "tinygif": {"url": "https://media.example/g1-tiny.gif", "dims": [110, 70]},
            },
        },
        {"id": "broken", "media_formats": {}},
    ],
    "next": "20",
}
