"""A node's REST API as the seeder calls it: JSON in and out, one-line failures.

Contract:

* :func:`parse_base_url` accepts ``http://`` or ``https://`` URLs with a host and a
  valid port, if any (a path is kept as a prefix, a trailing slash dropped), and raises
  ``ValueError`` otherwise.
* :meth:`NodeApi.post` sends a JSON body with ``Authorization: Bearer <token>`` and
  returns the decoded JSON of a 2xx answer.  A 429 is retried after its ``Retry-After``
  (at most :data:`MAX_RETRY_WAIT_S` each time, :data:`RATE_LIMIT_ATTEMPTS` tries).
* Every other outcome raises :class:`NodeError` (a :class:`~bots.failures.BotsFailure`)
  with a one-line message: the node cannot be reached or timed out (``status`` None), its
  answer is not JSON (not a TopicsFlow node), or it refused — ``status``, the error
  shape's ``code`` and the node's own message.  Tokens never appear in messages.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import SplitResult, urlsplit

import httpx
import trio

from bots.failures import BotsFailure, network_reason

TIMEOUT_S = 60.0
RATE_LIMIT_ATTEMPTS = 8
MAX_RETRY_WAIT_S = 60.0


class NodeError(BotsFailure):
    """A request the node did not answer with success; see the module docstring."""

    def __init__(self, message: str, status: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def parse_base_url(text: str) -> str:
    """The node's base URL from ``text``; see the module docstring."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or not _valid_port(parts):
        raise ValueError(
            f"--url expects the node's http:// or https:// address, e.g. "
            f"http://127.0.0.1:8000, got {text!r}"
        )
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def _valid_port(parts: SplitResult) -> bool:
    """Whether the URL's port, if any, is a TCP port."""
    try:
        parts.port  # noqa: B018 - reading it checks it
    except ValueError:
        return False
    return True


class NodeApi:
    """JSON requests to one node; see the module docstring."""

    def __init__(self, base_url: str, http: httpx.AsyncClient) -> None:
        self.base_url = base_url
        self._http = http

    async def post(self, path: str, body: dict[str, Any], *, token: str) -> Any:
        """POST ``body`` to ``path`` as the holder of ``token``; the answer's JSON."""
        for _ in range(RATE_LIMIT_ATTEMPTS):
            response = await self._send(path, body, token)
            if response.status_code != 429:
                return self._decoded(path, response)
            await trio.sleep(_retry_after(response))
        raise NodeError(
            f"POST {path}: {self.base_url} kept answering 429 rate_limited", 429, "rate_limited"
        )

    async def _send(self, path: str, body: dict[str, Any], token: str) -> httpx.Response:
        url = self.base_url + path
        try:
            return await self._http.post(
                url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT_S
            )
        except httpx.TimeoutException:
            raise NodeError(f"{self.base_url} did not answer within {TIMEOUT_S:.0f} s") from None
        except httpx.HTTPError as error:
            raise NodeError(f"cannot reach {self.base_url}: {network_reason(error)}") from None

    def _decoded(self, path: str, response: httpx.Response) -> Any:
        try:
            data: Any = response.json()
        except ValueError:
            raise NodeError(
                f"POST {path} answered {response.status_code} without JSON: is "
                f"{self.base_url} a TopicsFlow node?", response.status_code,
            ) from None
        if response.is_success:
            return data
        error = data.get("error") if isinstance(data, dict) else None
        code = str(error.get("code", "")) if isinstance(error, dict) else ""
        message = str(error.get("message", "")) if isinstance(error, dict) else ""
        raise NodeError(
            f"POST {path} answered {response.status_code} {code or 'error'}: {message}".rstrip(
                ": "
            ),
            response.status_code, code,
        )


def _retry_after(response: httpx.Response) -> float:
    try:
        seconds = float(response.headers.get("Retry-After", "1"))
    except ValueError:
        seconds = 1.0
    return min(max(seconds, 0.1), MAX_RETRY_WAIT_S)
