"""Whose picture: subjects, their URLs, and the URLs shown in views.

Contract:

* A subject is ``user:<id>`` (an avatar), ``topic:<id>`` or ``room:<id>``
  (:func:`subject_of`); the store keeps at most one picture per subject.
* :func:`picture_url` is the subject's picture URL with its version
  (``/api/users/<id>/avatar?v=<version>``, ``/api/topics/<id>/picture?v=…``,
  ``/api/chat-rooms/<id>/picture?v=…``): a new picture gets a new URL, so the URL may be
  cached for good.  Clients add ``size`` for a smaller rendition.
* :func:`with_pictures` / :func:`with_picture` fill a view's field (``avatar_url`` for
  users, ``picture_url`` for topics and rooms) — the helpers every route that answers
  such views calls.
* :func:`picture_urls` looks the URLs of many subjects up in one store read, for list
  views; a subject without a picture is absent (its view shows ``null``).  Views are
  additive: ``avatar_url`` on user profiles, ``picture_url`` on topics and rooms.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import msgspec

from http_facade.node_access import store

V = TypeVar("V", bound=msgspec.Struct)


class PictureKind(enum.Enum):
    """The kinds of subject with a picture, and the path of each one's picture."""

    USER = "user"
    TOPIC = "topic"
    ROOM = "room"

    @property
    def field(self) -> str:
        """The field of the subject's view that shows the URL."""
        return "avatar_url" if self is PictureKind.USER else "picture_url"

    @property
    def path(self) -> str:
        """The path pattern, ``{id}`` to be replaced."""
        match self:
            case PictureKind.USER:
                return "/api/users/{id}/avatar"
            case PictureKind.TOPIC:
                return "/api/topics/{id}/picture"
            case PictureKind.ROOM:
                return "/api/chat-rooms/{id}/picture"


def subject_of(kind: PictureKind, subject_id: str) -> str:
    """The store's key of ``subject_id``'s picture."""
    return f"{kind.value}:{subject_id}"


def picture_url(kind: PictureKind, subject_id: str, version: str) -> str:
    """The versioned URL of a subject's picture (see the module docstring)."""
    return kind.path.format(id=subject_id) + f"?v={version}"


async def picture_urls(kind: PictureKind, subject_ids: Iterable[str]) -> dict[str, str]:
    """The picture URL of each subject among ``subject_ids`` that has one (one read)."""
    wanted = list(dict.fromkeys(subject_ids))
    if not wanted:
        return {}
    versions = await store().pictures.versions([subject_of(kind, each) for each in wanted])
    found: dict[str, str] = {}
    for subject_id in wanted:
        version = versions.get(subject_of(kind, subject_id))
        if version is not None:
            found[subject_id] = picture_url(kind, subject_id, version)
    return found


async def picture_url_of(kind: PictureKind, subject_id: str) -> str | None:
    """The picture URL of one subject, or None."""
    return (await picture_urls(kind, [subject_id])).get(subject_id)


async def with_pictures(kind: PictureKind, views: Sequence[V]) -> list[V]:
    """``views`` (structs with an ``id``) with their :attr:`PictureKind.field` filled."""
    urls = await picture_urls(kind, [_id_of(view) for view in views])
    return [
        msgspec.structs.replace(view, **{kind.field: urls.get(_id_of(view))}) for view in views
    ]


async def with_picture(kind: PictureKind, view: V) -> V:
    """One view with its picture URL filled (:func:`with_pictures`)."""
    return (await with_pictures(kind, [view]))[0]


def _id_of(view: Any) -> str:
    found: str = view.id
    return found
