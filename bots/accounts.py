"""The bots' credentials file: seeded rooms and idle users, as session tokens.

Written by ``topicsflow bots seed`` (over a node's REST API, :mod:`bots.rest_seed`, or
straight into a store, :mod:`bots.seed`) and read by ``topicsflow bots run``.  The format
is JSON::

    {"rooms": [{"channel": "chat_room:<id>", "tokens": ["<owner's token>", ...]}, ...],
     "idle_tokens": ["<token>", ...]}

The tokens are login sessions of one node (or of one cluster's shared session store):
whoever holds the file can act as the bots there, so :meth:`SeededAccounts.save` makes it
readable by its owner only.  :meth:`SeededAccounts.load` raises :class:`CredentialsError`
with a one-line reason for a file that cannot be read or is not in this format.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import msgspec

FILE_MODE = 0o600


class CredentialsError(ValueError):
    """The credentials file cannot be read or is not in the bots' format (one line)."""


class _RoomEntry(msgspec.Struct, frozen=True):
    channel: str
    tokens: list[str]


class _FileFormat(msgspec.Struct, frozen=True):
    rooms: list[_RoomEntry]
    idle_tokens: list[str] = []


@dataclasses.dataclass(frozen=True)
class SeededRoom:
    """A room's channel and the session tokens of its members (the owner first)."""

    channel: str
    tokens: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class SeededAccounts:
    """Everything the bots need to connect; see the module docstring."""

    rooms: tuple[SeededRoom, ...]
    idle_tokens: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "rooms": [
                {"channel": room.channel, "tokens": list(room.tokens)} for room in self.rooms
            ],
            "idle_tokens": list(self.idle_tokens),
        }

    @classmethod
    def from_json(cls, data: object) -> SeededAccounts:
        """The inverse of :meth:`to_json`; :class:`CredentialsError` for another shape."""
        try:
            parsed = msgspec.convert(data, _FileFormat)
        except msgspec.ValidationError as error:
            raise CredentialsError(f"not a bots credentials file: {error}") from None
        rooms = tuple(SeededRoom(room.channel, tuple(room.tokens)) for room in parsed.rooms)
        return cls(rooms=rooms, idle_tokens=tuple(parsed.idle_tokens))

    def save(self, path: Path) -> None:
        """Write the accounts as JSON to ``path``, readable by its owner only."""
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with os.fdopen(descriptor, "wb") as file:
            os.fchmod(file.fileno(), FILE_MODE)
            file.write(msgspec.json.encode(self.to_json()))

    @classmethod
    def load(cls, path: Path) -> SeededAccounts:
        """Read accounts written by :meth:`save`; see the module docstring for errors."""
        try:
            raw = path.read_bytes()
        except OSError as error:
            reason = error.strerror or type(error).__name__
            raise CredentialsError(f"cannot read the credentials file {path}: {reason}") from None
        try:
            data = msgspec.json.decode(raw)
        except msgspec.DecodeError as error:
            raise CredentialsError(f"{path} is not JSON: {error}") from None
        try:
            return cls.from_json(data)
        except CredentialsError as error:
            raise CredentialsError(f"{path}: {error}") from None
