"""File attachments through a live node whose blob store is Azurite."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import log_in_new_user
from tests.e2e.file_support import EXECUTABLE, PNG, UPLOAD_CAP, fetch, serve_test_node, upload

pytestmark = pytest.mark.azurite


async def test_upload_download_access_and_cap_on_azure_blob(
    tmp_path: Path, azure_blob_connection_string: str, unique_name: str
) -> None:
    async with serve_test_node(
        tmp_path,
        azure_blob_connection_string=azure_blob_connection_string,
        azure_blob_container=unique_name,
        max_upload_bytes=UPLOAD_CAP,
    ) as node:
        alice = await log_in_new_user(node, "alice")
        bob = await log_in_new_user(node, "bob")
        async with httpx.AsyncClient(base_url=node.base_url, timeout=30) as api:
            created = await upload(api, alice.token, PNG, name="a.png", content_type="image/png")
            assert created.status_code == 201, created.text
            file_id = created.json()["id"]
            downloaded = await fetch(api, alice.token, file_id)
            assert downloaded.status_code == 200
            assert downloaded.content == PNG
            assert (await fetch(api, bob.token, file_id)).status_code == 404
            too_big = await upload(
                api, alice.token, PNG + b"\x00" * UPLOAD_CAP, name="b.png", content_type="image/png"
            )
            assert too_big.status_code == 413
            refused = await upload(
                api, alice.token, EXECUTABLE, name="c", content_type="application/octet-stream"
            )
            assert refused.status_code == 415
        assert not (tmp_path / "blobs").exists()
