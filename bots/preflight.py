"""Before a run: does the node accept these credentials?  One connection tells.

:func:`check_node` connects one bot — the first room's owner, else the first idle user
— and subscribes it to its room (or pings), within :data:`PREFLIGHT_SECONDS`.  Any
failure raises :class:`~bots.failures.BotsFailure` with a one-line reason that says
what to do: the node cannot be reached, has no WebSocket endpoint at that URL, refuses
the token (the credentials were seeded for another node, or have expired), or refuses
the room.  Launching the worker processes is left to :mod:`bots.runner`.
"""

from __future__ import annotations

import trio
import trio_websocket

from bots.accounts import SeededAccounts
from bots.client import Client, ConnectionLost, RequestFailed, open_client
from bots.failures import BotsFailure, network_reason

PREFLIGHT_SECONDS = 15.0
RESEED = "seed accounts for this node with `topicsflow bots seed --url`"


def first_bot(accounts: SeededAccounts) -> tuple[str, str | None]:
    """The token the check uses and its room's channel (None for an idle user)."""
    for room in accounts.rooms:
        if room.tokens:
            return room.tokens[0], room.channel
    if accounts.idle_tokens:
        return accounts.idle_tokens[0], None
    raise BotsFailure("the credentials file holds no tokens")


def refusal(url: str, status: int, source: str) -> str:
    """The one-line reason for a handshake the node answered with HTTP ``status``."""
    if status == 401:
        return (
            f"{url} refused the bot tokens from {source} (401 unauthorized): they were "
            f"seeded for another node or have expired; {RESEED}"
        )
    if status == 403:
        return f"{url} refused the bot tokens from {source} (403 forbidden): {RESEED}"
    if status == 404:
        return f"{url} is not a WebSocket endpoint (404): a node serves it at /ws"
    return f"{url} refused the WebSocket handshake (HTTP {status})"


async def check_node(url: str, accounts: SeededAccounts, subprotocol: str, source: str) -> None:
    """Connect the first bot; see the module docstring.  ``source`` names the file."""
    token, channel = first_bot(accounts)
    problem: str | None = None
    try:
        with trio.fail_after(PREFLIGHT_SECONDS):
            async with open_client(
                url, token=token, subprotocol=subprotocol, reconnect=False
            ) as client:
                problem = await _probe(client, url, channel)
    except trio.TooSlowError:
        problem = f"{url} did not let a bot connect within {PREFLIGHT_SECONDS:.0f} s"
    except trio_websocket.ConnectionRejected as rejected:
        problem = refusal(url, rejected.status_code, source)
    except OSError as error:
        problem = f"cannot reach {url}: {network_reason(error)}"
    except trio_websocket.HandshakeError:
        problem = f"the WebSocket handshake with {url} failed"
    except (ConnectionLost, trio_websocket.ConnectionClosed):
        problem = f"{url} closed the bot's connection at once"
    if problem is not None:
        raise BotsFailure(problem)


async def _probe(client: Client, url: str, channel: str | None) -> str | None:
    """Subscribe to ``channel`` (or ping); the problem, or None."""
    try:
        if channel is None:
            await client.ping()
        else:
            await client.subscribe(channel)
    except RequestFailed as failed:
        return f"{url} refused the seeded room {channel} ({failed}): {RESEED}"
    except ConnectionLost:
        return f"{url} closed the bot's connection at once"
    return None
