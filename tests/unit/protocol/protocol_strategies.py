"""Hypothesis strategies for every frame, derived from the structs' msgspec type info.

``hypothesis.strategies.from_type`` does not understand msgspec ``Meta`` constraints, so
:func:`strategy_for_type` walks ``msgspec.inspect`` type information instead and produces
only values the decoders accept. Constrained string patterns are mapped to explicit
strategies (an unknown pattern fails loudly, so a new one gets a strategy too). Checks in
``__post_init__`` are honoured by dropping the drafts the struct itself rejects.
"""

from functools import cache
from typing import Any

import msgspec
import msgspec.inspect as inspect
from hypothesis import strategies as st

from protocol import fields
from protocol.channels import CHANNEL_PATTERN, MESSAGE_CHANNEL_KINDS, ChannelKind, channel_name
from protocol.client_frames import (
    CLIENT_FRAME_TAGS,
    DeleteMessage,
    EditMessage,
    MarkRead,
    React,
    SendMessage,
    Typing,
)
from protocol.server_frames import SERVER_FRAME_TAGS

IDENTIFIER_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
NON_SPACE_TEXT = st.characters(exclude_categories=("Zs", "Zl", "Zp", "Cc", "Cs"))

ALL_FRAME_TYPES: tuple[type[msgspec.Struct], ...] = (
    *CLIENT_FRAME_TAGS.values(),
    *SERVER_FRAME_TAGS.values(),
)


def identifiers(max_size: int = 64) -> st.SearchStrategy[str]:
    return st.text(IDENTIFIER_ALPHABET, min_size=1, max_size=max_size)


def channels(kinds: frozenset[ChannelKind] = frozenset(ChannelKind)) -> st.SearchStrategy[str]:
    return st.builds(channel_name, st.sampled_from(sorted(kinds)), identifiers())


def _bounded_text(prefix: str, max_size: int) -> st.SearchStrategy[str]:
    return st.text(NON_SPACE_TEXT, min_size=1, max_size=max_size - len(prefix)).map(
        lambda rest: prefix + rest
    )


_PATTERN_STRATEGIES: dict[str, st.SearchStrategy[str]] = {
    fields.IDENTIFIER_PATTERN: identifiers(),
    CHANNEL_PATTERN: channels(),
    fields.whole_string_pattern(r"https://\S+"): _bounded_text("https://", 200),
    fields.whole_string_pattern(r"/\S*"): _bounded_text("/", 200),
    fields.whole_string_pattern(r"[a-z][a-z0-9_]*"): st.from_regex(
        r"[a-z][a-z0-9_]{0,30}", fullmatch=True
    ),
}

_FIELD_OVERRIDES: dict[tuple[type[msgspec.Struct], str], st.SearchStrategy[Any]] = {
    (frame_type, "channel"): channels(frozenset(MESSAGE_CHANNEL_KINDS))
    for frame_type in (SendMessage, EditMessage, DeleteMessage, Typing, React)
}
_FIELD_OVERRIDES[(MarkRead, "channel")] = channels(
    frozenset(MESSAGE_CHANNEL_KINDS | {ChannelKind.USER})
)


def _string_strategy(info: inspect.StrType) -> st.SearchStrategy[str]:
    if info.pattern is not None:
        try:
            return _PATTERN_STRATEGIES[info.pattern]
        except KeyError:
            raise NotImplementedError(f"no strategy for pattern {info.pattern!r}") from None
    # U+0000 is refused in every string (protocol.nul_text).  Lone surrogates (category
    # Cs) cannot be encoded as UTF-8, and neither decoder ever hands one to the server.
    return st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
                   min_size=info.min_length or 0, max_size=info.max_length)


def _int_strategy(info: inspect.IntType) -> st.SearchStrategy[int]:
    low = info.ge if info.ge is not None else (info.gt + 1 if info.gt is not None else None)
    high = info.le if info.le is not None else (info.lt - 1 if info.lt is not None else None)
    return st.integers(min_value=low, max_value=high)


def strategy_for_type(info: inspect.Type) -> st.SearchStrategy[Any]:
    """A strategy of valid values of the type described by ``info``."""
    match info:
        case inspect.Metadata():
            return strategy_for_type(info.type)
        case inspect.StrType():
            return _string_strategy(info)
        case inspect.IntType():
            return _int_strategy(info)
        case inspect.BoolType():
            return st.booleans()
        case inspect.NoneType():
            return st.none()
        case inspect.EnumType():
            return st.sampled_from(list(info.cls))
        case inspect.LiteralType():
            return st.sampled_from(info.values)
        case inspect.UnionType():
            return st.one_of([strategy_for_type(member) for member in info.types])
        case inspect.VarTupleType():
            return st.lists(
                strategy_for_type(info.item_type),
                min_size=info.min_length or 0,
                max_size=min(info.max_length or 5, 5),
            ).map(tuple)
        case inspect.StructType():
            return _struct_strategy(info)
        case _:
            raise NotImplementedError(f"no strategy for {info!r}")


def _build_or_none(struct_type: type[msgspec.Struct], values: dict[str, Any]) -> Any:
    try:
        return struct_type(**values)
    except ValueError:
        return None


def _struct_strategy(info: inspect.StructType) -> st.SearchStrategy[Any]:
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for field in info.fields:
        strategy = _FIELD_OVERRIDES.get((info.cls, field.name))
        if strategy is None:
            strategy = strategy_for_type(field.type)
        (required if field.required else optional)[field.name] = strategy
    return (
        st.fixed_dictionaries(required, optional=optional)
        .map(lambda values: _build_or_none(info.cls, values))
        .filter(lambda frame: frame is not None)
    )


@cache
def frames_of(frame_type: type[msgspec.Struct]) -> st.SearchStrategy[Any]:
    """Valid instances of one frame (or payload) class."""
    return strategy_for_type(inspect.type_info(frame_type))


def any_client_frame() -> st.SearchStrategy[Any]:
    return st.one_of([frames_of(frame_type) for frame_type in CLIENT_FRAME_TAGS.values()])


def any_server_frame() -> st.SearchStrategy[Any]:
    return st.one_of([frames_of(frame_type) for frame_type in SERVER_FRAME_TAGS.values()])
