"""The declared wire types are complete, round-trip, and pinned to the wire version.

* Every message an actor handles (a class pattern of its ``on_receive`` ``match``, or an
  ``isinstance`` check of the message) is declared, and every declared message is handled
  by some actor: a message added without its declaration fails here, not in a cluster.
* Every Struct of a commands module is declared as a message or used as a reply type.
* A sample of every declared message and reply type survives the wire unchanged.
* A fingerprint of everything that crosses (frames, declared types, bus events) is pinned
  to ``WIRE_VERSION``: changing the wire without bumping the version fails here.
"""

from __future__ import annotations

import ast
import enum
import hashlib
import importlib
import inspect
import json
import pkgutil
import textwrap
import typing
from collections.abc import Iterator
from typing import Any

import msgspec
import msgspec.inspect as mi
import pytest

import actors
from actors.runtime.actor import Actor
from protocol.control_frames import CallCreated, MessageAccepted, Sequenced
from supervisors.cluster.codec import Declaration
from supervisors.cluster.declared import DECLARED
from supervisors.cluster.fanout import Relayed
from supervisors.cluster.wire import WIRE_VERSION, Frame

PINNED = (7, "016803d61722f712")
"""``WIRE_VERSION`` and the fingerprint of the wire it names (see :func:`fingerprint`)."""

HANDLER_METHODS = ("on_receive", "on_receive_batch", "batches")

SAMPLES: dict[type, object] = {
    # Replies whose fields carry patterns a generated string would not match.
    MessageAccepted: MessageAccepted(channel="chat_room:r_1", seq=7, message_id="m7"),
    Sequenced: Sequenced(channel="topic:t_1", seq=8),
    CallCreated: CallCreated(call_id="c_1", channel="call:c_1"),
}


def _import_every_actor_module() -> list[str]:
    names = []
    for module in pkgutil.walk_packages(actors.__path__, "actors."):
        importlib.import_module(module.name)
        names.append(module.name)
    return names


ACTOR_MODULES = _import_every_actor_module()


def _actor_classes() -> Iterator[type[Actor]]:
    pending = list(Actor.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("actors."):
            yield cls


def _class_names(node: ast.AST) -> Iterator[ast.expr]:
    """Class references of a match pattern or an ``isinstance`` class argument."""
    match node:
        case ast.MatchClass(cls=cls):
            yield cls
        case ast.MatchOr(patterns=patterns):
            for pattern in patterns:
                yield from _class_names(pattern)
        case ast.MatchAs(pattern=pattern) if pattern is not None:
            yield from _class_names(pattern)
        case ast.Tuple(elts=elements):
            for element in elements:
                yield from _class_names(element)
        case ast.Name() | ast.Attribute():
            yield node


def _resolve(expression: ast.expr, namespace: dict[str, Any]) -> Any:
    """The object a dotted name of a handler refers to, in the handler's module."""
    match expression:
        case ast.Name(id=name):
            return namespace[name]
        case ast.Attribute(value=value, attr=attribute):
            return getattr(_resolve(value, namespace), attribute)
    raise AssertionError(f"not a class reference: {ast.unparse(expression)}")


def handled_messages(cls: type[Actor]) -> set[type]:
    """The message classes ``cls``'s handlers match on (by the ``message`` parameter)."""
    found: set[type] = set()
    for method_name in HANDLER_METHODS:
        method = cls.__dict__.get(method_name)
        if method is None:
            continue
        tree = ast.parse(textwrap.dedent(inspect.getsource(method)))
        namespace = method.__globals__
        for node in ast.walk(tree):
            references: list[ast.expr] = []
            if isinstance(node, ast.Match) and ast.unparse(node.subject) == "message":
                for case in node.cases:
                    references.extend(_class_names(case.pattern))
            elif (isinstance(node, ast.Call) and ast.unparse(node.func) == "isinstance"
                  and ast.unparse(node.args[0]) == "message"):
                references.extend(_class_names(node.args[1]))
            found.update(_resolve(reference, namespace) for reference in references)
    return found


def test_every_message_an_actor_handles_is_declared_and_nothing_else() -> None:
    handled = {cls: handled_messages(cls) for cls in _actor_classes()}
    assert len(handled) >= 10, sorted(cls.__name__ for cls in handled)
    assert all(handled.values()), [cls.__name__ for cls, types in handled.items() if not types]
    declared = {declaration.message for declaration in DECLARED}
    missing = {
        f"{message.__module__}.{message.__qualname__} (handled by {cls.__name__})"
        for cls, types in handled.items() for message in types - declared
    }
    assert not missing, f"declare these in supervisors/cluster/declared.py: {sorted(missing)}"
    every_handled = set().union(*handled.values())
    stale = sorted(message.__qualname__ for message in declared - every_handled)
    assert not stale, f"declared but handled by no actor: {stale}"


def _reply_types(reply: Any) -> Iterator[Any]:
    yield reply
    for argument in typing.get_args(reply):
        yield from _reply_types(argument)


def test_every_struct_of_a_commands_module_is_a_declared_message_or_reply() -> None:
    known = {declaration.message for declaration in DECLARED}
    known.update(kind for declaration in DECLARED for kind in _reply_types(declaration.reply))
    modules = [name for name in ACTOR_MODULES if name.rpartition(".")[2].endswith("commands")]
    assert len(modules) >= 6, modules
    structs = [
        value for name in modules for value in vars(importlib.import_module(name)).values()
        if isinstance(value, type) and issubclass(value, msgspec.Struct)
        and value.__module__ == name
    ]
    assert len(structs) >= len(DECLARED) - 2
    assert [struct.__qualname__ for struct in structs if struct not in known] == []


def sample(info: mi.Type) -> Any:
    """A value of the type ``info`` with every optional part filled in."""
    match info:
        case mi.StructType(cls=cls) if cls in SAMPLES:
            return SAMPLES[cls]
        case mi.StructType(cls=cls, fields=fields):
            return cls(**{field.name: sample(field.type) for field in fields})
        case mi.NoneType():
            return None
        case mi.BoolType():
            return True
        case mi.IntType():
            return 2
        case mi.FloatType():
            return 1.5
        case mi.StrType(pattern=None):
            return "sample"
        case mi.EnumType(cls=cls):
            return list(cls)[-1]
        case mi.LiteralType(values=values):
            return values[-1]
        case mi.ListType(item_type=item):
            return [sample(item)]
        case mi.VarTupleType(item_type=item):
            return (sample(item),)
        case mi.TupleType(item_types=items):
            return tuple(sample(item) for item in items)
        case mi.UnionType(types=types):
            chosen = [kind for kind in types if not isinstance(kind, mi.NoneType)]
            return sample(chosen[0])
    raise AssertionError(f"add a sample for {info} to SAMPLES")


@pytest.mark.parametrize("declaration", list(DECLARED), ids=lambda item: item.name)
def test_every_declared_message_and_reply_round_trips(declaration: Declaration) -> None:
    message = sample(mi.type_info(declaration.message))
    found, body = DECLARED.encode_message(message)
    assert found is declaration
    assert DECLARED.decode_message(declaration.name, body) == (declaration, message)
    reply = sample(mi.type_info(declaration.reply))
    assert declaration.decode_reply(declaration.encode_reply(reply)) == reply


def _plain(value: object) -> object:
    match value:
        case msgspec.Raw():
            return {"raw": bytes(value).hex()}
        case enum.Enum():
            return value.value
        case None | bool() | int() | float() | str():
            return value
        case bytes():
            return value.hex()
        case tuple() | list() | frozenset():
            return [_plain(item) for item in value]
    if value is msgspec.NODEFAULT:
        return "<no default>"
    if value is msgspec.UNSET:
        return "<unset>"
    return getattr(value, "__qualname__", type(value).__qualname__)


_OWNERS: dict[str, type] = {}


def _describe(info: object, structs: dict[str, object]) -> object:
    """A canonical, address-free description of a msgspec type (structs by name)."""
    if isinstance(info, mi.StructType):
        name = info.cls.__qualname__
        assert _OWNERS.setdefault(name, info.cls) is info.cls, f"two structs named {name}"
        if name not in structs:
            structs[name] = None
            structs[name] = {
                "tag_field": info.tag_field, "tag": _plain(info.tag),
                "array_like": info.array_like,
                "forbid_unknown_fields": info.forbid_unknown_fields,
                "fields": [[field.encode_name, _describe(field.type, structs), field.required,
                            _plain(field.default), _plain(field.default_factory)]
                           for field in info.fields],
            }
        return {"struct": name}
    if isinstance(info, mi.EnumType):
        return {"enum": info.cls.__qualname__, "values": [_plain(item) for item in info.cls]}
    if isinstance(info, mi.Type):
        description: dict[str, object] = {"kind": type(info).__name__}
        for field in msgspec.structs.fields(info):
            if field.name == "cls":
                continue
            value = getattr(info, field.name)
            description[field.name] = _describe(value, structs)
        return description
    if isinstance(info, tuple):
        return [_describe(item, structs) for item in info]
    return _plain(info)


def fingerprint() -> str:
    """A short hash of everything that crosses: frames, declarations, bus events."""
    structs: dict[str, object] = {}
    document = {
        "frames": _describe(mi.type_info(Frame), structs),
        "bus": _describe(mi.type_info(Relayed), structs),
        "declared": [
            [declaration.name, _describe(mi.type_info(declaration.message), structs),
             _describe(mi.type_info(declaration.reply), structs)]
            for declaration in DECLARED
        ],
        "structs": structs,
    }
    encoded = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()[:16]


def test_the_wire_is_pinned_to_its_version() -> None:
    now = (WIRE_VERSION, fingerprint())
    assert now == PINNED, (
        f"the cluster wire changed (a frame, a declared message or reply type, or a bus "
        f"event): bump WIRE_VERSION in supervisors/cluster/wire.py and set PINNED = "
        f"(<the new version>, {now[1]!r}) in this file; nodes of different versions refuse "
        f"to link (docs/CLUSTER.md). If only msgspec's inspection changed, keep the version."
    )
