"""Tolerant reading of server frames: drop fields this package does not know.

Frames are ``forbid_unknown_fields`` so the server rejects anything unexpected, but the
versioning policy lets a v1 server add optional fields, and an older client must still
read such frames. :func:`prune_unknown_fields` walks a generically decoded frame alongside
the msgspec type information of :data:`~protocol.server_frames.ServerFrame` and keeps only
the fields each struct declares; the result is then converted strictly. Only the client
side uses this, and only after a strict decode failed, so the fast path stays untouched.
"""

from typing import Any

import msgspec.inspect as inspect


def struct_by_tag(union: inspect.UnionType) -> dict[str, inspect.StructType]:
    """Map the tags of a union's tagged struct members to their type information."""
    return {
        member.tag: member
        for member in union.types
        if isinstance(member, inspect.StructType) and isinstance(member.tag, str)
    }


def prune_unknown_fields(value: Any, type_info: inspect.Type) -> Any:
    """Return ``value`` without the object keys that ``type_info`` does not declare.

    ``value`` is what a schemaless decode produced (dicts, lists, scalars). Values that do
    not have the expected shape are returned unchanged, so the strict conversion that
    follows reports them as errors; this function itself never raises on bad input.
    """
    match type_info:
        case inspect.Metadata():
            return prune_unknown_fields(value, type_info.type)
        case inspect.StructType():
            return _prune_struct(value, type_info)
        case inspect.UnionType():
            return _prune_union_member(value, type_info)
        case inspect.CollectionType():
            if isinstance(value, list):
                return [prune_unknown_fields(item, type_info.item_type) for item in value]
            return value
        case inspect.DictType() | inspect.FrozenDictType():
            if isinstance(value, dict):
                return {
                    key: prune_unknown_fields(item, type_info.value_type)
                    for key, item in value.items()
                }
            return value
        case _:
            return value


def _prune_struct(value: Any, struct: inspect.StructType) -> Any:
    if not isinstance(value, dict):
        return value
    declared = {field.encode_name: field.type for field in struct.fields}
    pruned: dict[Any, Any] = {}
    for key, item in value.items():
        if key == struct.tag_field:
            pruned[key] = item
        elif key in declared:
            pruned[key] = prune_unknown_fields(item, declared[key])
    return pruned


def _prune_union_member(value: Any, union: inspect.UnionType) -> Any:
    if not isinstance(value, dict):
        return value
    members = [member for member in union.types if isinstance(member, inspect.StructType)]
    if len(members) == 1 and members[0].tag_field is None:
        return _prune_struct(value, members[0])
    tag_field = members[0].tag_field if members else None
    if tag_field is None:
        return value
    tag = value.get(tag_field)
    member = struct_by_tag(union).get(tag) if isinstance(tag, str) else None
    return value if member is None else _prune_struct(value, member)
