"""``/api/calls``: what a call participant needs over REST.

Contract: ``GET /api/calls/ice-servers`` (login required) returns the node's configured
STUN/TURN servers (``TOPICSFLOW_ICE_SERVERS``) with time-limited TURN credentials for the
caller when ``TOPICSFLOW_TURN_SECRET`` is set (see :mod:`services.ice`), and ``ttl``, the
seconds the credentials stay valid.  Signalling itself runs over the WebSocket.
"""

from __future__ import annotations

import time

import msgspec
from quart import Blueprint
from quart_schema import tag_blueprint, validate_response

from http_facade.context import current_context
from http_facade.guard import login_required
from services.ice import TURN_CREDENTIAL_LIFETIME, IceServer, ice_servers
from services.principal import Principal

blueprint = Blueprint("calls", __name__, url_prefix="/api/calls")
tag_blueprint(blueprint, ["calls"])


class IceServerList(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``RTCConfiguration.iceServers`` for the caller, valid ``ttl`` seconds."""

    ice_servers: list[IceServer]
    ttl: int


@blueprint.get("/ice-servers")
@login_required
@validate_response(IceServerList)
async def get_ice_servers(principal: Principal) -> IceServerList:
    """The ICE servers to use in calls, with TURN credentials for the caller."""
    settings = current_context().settings
    servers = ice_servers(
        settings.ice_servers,
        user_id=principal.user_id,
        turn_secret=settings.turn_secret,
        now=time.time(),
    )
    return IceServerList(ice_servers=servers, ttl=TURN_CREDENTIAL_LIFETIME)
