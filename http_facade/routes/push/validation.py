"""Checks of a push subscription before it is stored (see :mod:`.routes`)."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ec

from http_facade.errors import ApiError
from http_facade.routes.push.schemas import SubscriptionCreate
from protocol.errors import ErrorCode
from services.push import b64url_decode
from services.webhook_targets import TargetRefused, check_url, resolve_public

AUTH_BYTES = 16


def _key(name: str, text: str) -> bytes:
    try:
        return b64url_decode(text)
    except ValueError:
        raise ApiError(ErrorCode.INVALID, f"keys.{name}: not base64url") from None


async def checked_subscription(data: SubscriptionCreate, *, allow_private: bool) -> None:
    """Return when ``data`` may be stored; 400 ``invalid`` saying what is wrong otherwise:
    an https endpoint (http only with ``allow_private``) on a host that may be reached, a
    P-256 public key and a 16-byte auth secret."""
    try:
        parts = check_url(data.endpoint)
        if parts.scheme != "https" and not allow_private:
            raise TargetRefused("push endpoints must use https")
        await resolve_public(data.endpoint, allow_private=allow_private)
    except TargetRefused as error:
        raise ApiError(ErrorCode.INVALID, f"endpoint: {error}") from None
    point = _key("p256dh", data.keys.p256dh)
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise ApiError(ErrorCode.INVALID, "keys.p256dh: not a P-256 public key") from None
    if len(_key("auth", data.keys.auth)) != AUTH_BYTES:
        raise ApiError(ErrorCode.INVALID, f"keys.auth: expected {AUTH_BYTES} bytes") from None
