"""The presence book with a ttl (cluster mode): renewals keep connections, lapses prune."""

from __future__ import annotations

import trio

from actors.realtime.presence import PresenceBook
from protocol.enums import PresenceStatus


async def test_renewed_connections_stay_and_lapsed_ones_go(autojump_clock: object) -> None:
    book = PresenceBook(ttl=60)
    book.open("u", "here")
    book.open("u", "dead-node")
    assert book.announce("u") is PresenceStatus.ONLINE
    for _ in range(3):
        await trio.sleep(30)
        book.set_status("u", "here", PresenceStatus.AWAY)  # the live session renews
    assert book.prune_expired() == ["u"]
    assert book.view("u").connections == 1
    assert book.announce("u") is PresenceStatus.AWAY
    await trio.sleep(61)
    assert book.prune_expired() == ["u"]
    assert book.announce("u") is PresenceStatus.OFFLINE
    assert book.users() == 0


async def test_a_book_without_ttl_never_prunes(autojump_clock: object) -> None:
    book = PresenceBook()
    book.open("u", "c")
    await trio.sleep(10_000)
    assert book.prune_expired() == []
    assert book.view("u").connections == 1


async def test_renewal_teaches_a_new_book_about_an_open_connection(
    autojump_clock: object,
) -> None:
    moved_to = PresenceBook(ttl=60)  # the node where the user actor was reactivated
    moved_to.set_status("u", "c", PresenceStatus.ONLINE)
    assert moved_to.view("u").connections == 1
    moved_to.discard_if_empty("u")
    assert moved_to.users() == 1
    moved_to.close("u", "c")
    moved_to.discard_if_empty("u")
    assert moved_to.users() == 0
