"""``/api/tokens`` and ``/api/bots``: personal access tokens and the bot accounts users own."""

from __future__ import annotations

from http_facade.routes.tokens import bots, tokens

__all__ = ["bots", "tokens"]
