"""Constrained scalar types shared by the frames.

Each alias is an ``Annotated`` type carrying a msgspec ``Meta``, so limits are enforced by
the decoder itself (a violation is a ``ValidationError``, mapped to error code ``invalid``)
and appear in the exported JSON Schema. Construction in Python does not check ``Meta``
constraints: the server must only build frames from values that already passed them.
"""

from typing import Annotated, TypeAlias, overload

from msgspec import Meta

from protocol import limits


def whole_string_pattern(body: str) -> str:
    """Return a regex matching strings made entirely of ``body``, portable to JSON Schema.

    msgspec checks ``pattern`` with ``re.search``, where ``$`` also matches before a final
    newline; the trailing ``(?!\\n)`` closes that hole, and is always true under ECMA-262
    (JSON Schema), where ``$`` only matches at the very end.
    """
    return rf"^(?:{body})$(?!\n)"


IDENTIFIER_PATTERN = whole_string_pattern(r"[A-Za-z0-9_-]+")

Identifier: TypeAlias = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=limits.MAX_ID_LENGTH,
        pattern=IDENTIFIER_PATTERN,
        description="Opaque id of a stored object: 1-64 characters of [A-Za-z0-9_-].",
    ),
]

RequestId: TypeAlias = Annotated[
    int,
    Meta(
        ge=0,
        le=limits.MAX_SAFE_INTEGER,
        description="Client-chosen request id, echoed verbatim by the reply.",
    ),
]

Seq: TypeAlias = Annotated[
    int,
    Meta(
        ge=0,
        le=limits.MAX_SAFE_INTEGER,
        description="A channel sequence number; 0 means 'before the first event'.",
    ),
]

EventSeq: TypeAlias = Annotated[
    int,
    Meta(
        ge=1,
        le=limits.MAX_SAFE_INTEGER,
        description="Sequence number of an event in its channel: 1, 2, 3, ... without gaps.",
    ),
]

Count: TypeAlias = Annotated[int, Meta(ge=0, le=limits.MAX_SAFE_INTEGER)]

Score: TypeAlias = Annotated[int, Meta(ge=-limits.MAX_SAFE_INTEGER, le=limits.MAX_SAFE_INTEGER)]

TimestampMs: TypeAlias = Annotated[
    int,
    Meta(
        ge=0,
        le=limits.MAX_SAFE_INTEGER,
        description="Milliseconds since the Unix epoch, UTC.",
    ),
]

DurationMs: TypeAlias = Annotated[int, Meta(ge=0, le=limits.MAX_SAFE_INTEGER)]

Token: TypeAlias = Annotated[
    str,
    Meta(min_length=1, max_length=limits.MAX_TOKEN_LENGTH, description="Bearer token."),
]

MessageText: TypeAlias = Annotated[
    str,
    Meta(max_length=limits.MAX_MESSAGE_TEXT_LENGTH, description="Chat message text."),
]

Emoji: TypeAlias = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=limits.MAX_EMOJI_LENGTH,
        description="A Unicode emoji sequence or a custom emoji shortcode.",
    ),
]

HttpsUrl: TypeAlias = Annotated[
    str,
    Meta(max_length=limits.MAX_URL_LENGTH, pattern=whole_string_pattern(r"https://\S+")),
]

AppPath: TypeAlias = Annotated[
    str,
    Meta(
        max_length=limits.MAX_URL_LENGTH,
        pattern=whole_string_pattern(r"/\S*"),
        description="Path inside the web application, such as /topics/<id>.",
    ),
]

AttachmentIds: TypeAlias = Annotated[
    tuple[Identifier, ...],
    Meta(max_length=limits.MAX_ATTACHMENTS, description="Ids of files uploaded over REST."),
]

ParticipantIds: TypeAlias = Annotated[
    tuple[Identifier, ...], Meta(max_length=limits.MAX_CALL_PARTICIPANTS)
]

SignalPayload: TypeAlias = Annotated[
    str,
    Meta(
        max_length=limits.MAX_SIGNAL_PAYLOAD_LENGTH,
        description="Opaque WebRTC data (SDP or ICE candidate), relayed unchanged.",
    ),
]

PostTitle: TypeAlias = Annotated[str, Meta(min_length=1, max_length=limits.MAX_POST_TITLE_LENGTH)]
PostBody: TypeAlias = Annotated[str, Meta(max_length=limits.MAX_POST_BODY_LENGTH)]
CommentBody: TypeAlias = Annotated[str, Meta(max_length=limits.MAX_COMMENT_BODY_LENGTH)]

Reason: TypeAlias = Annotated[
    str, Meta(max_length=limits.MAX_REASON_LENGTH, description="Human-readable reason.")
]

HumanText: TypeAlias = Annotated[str, Meta(max_length=limits.MAX_HUMAN_TEXT_LENGTH)]

Name: TypeAlias = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=limits.MAX_NAME_LENGTH,
        pattern=whole_string_pattern(r"[a-z][a-z0-9_]*"),
        description="An open snake_case word; clients must tolerate unknown values.",
    ),
]


@overload
def milliseconds(seconds: float) -> int: ...
@overload
def milliseconds(seconds: None) -> None: ...
@overload
def milliseconds(seconds: float | None) -> int | None: ...
def milliseconds(seconds: float | None) -> int | None:
    """Epoch seconds (as stored) as the API's integer milliseconds (:data:`TimestampMs`).

    The one conversion at the view boundary: every timestamp in a REST body or a
    WebSocket frame is made by it, so the same instant reads the same everywhere
    (truncated to the millisecond). ``None`` (no time) stays ``None``.
    """
    return None if seconds is None else int(seconds * 1000)
