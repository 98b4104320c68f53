"""The access rules of direct messages, users' own channels and uploaded files.

``actors.direct.access`` (the two participants of a conversation; a message's sender),
``actors.users.access`` (``user:<id>`` is that user's only) and
``http_facade.routes.files.access`` (a file is its uploader's).  Admins get no override
from any of them.
"""

from __future__ import annotations

import pytest

from actors.direct import access as direct
from actors.users.access import owns_user_channel
from http_facade.routes.files.access import owns_file
from services.errors import DomainError
from services.principal import Principal
from storage.keys import conversation_id
from storage.records import DirectMessage, FileRecord
from tests.unit.access.standings import principal

ALICE, BOB = principal("0a1b"), principal("0c2d")
OUTSIDER, ADMIN = principal("0e3f"), principal("0f40", is_admin=True)
CONVERSATION = conversation_id(ALICE.user_id, BOB.user_id)
MESSAGE = DirectMessage(
    id="d1", conversation_id=CONVERSATION, sender_id=ALICE.user_id,
    recipient_id=BOB.user_id, body="hi", created_at=0.0,
)


@pytest.mark.parametrize(
    ("who", "partner", "takes_part", "owns"),
    [
        (ALICE, BOB.user_id, True, True),
        (BOB, ALICE.user_id, True, False),
        (OUTSIDER, None, False, False),
        (ADMIN, None, False, False),
    ],
    ids=["sender", "recipient", "outsider", "admin"],
)
def test_direct_message_rules(
    who: Principal, partner: str | None, takes_part: bool, owns: bool
) -> None:
    if partner is None:
        with pytest.raises(DomainError) as refused:
            direct.partner_in(CONVERSATION, who.user_id)
        assert refused.value.code.value == "forbidden"
        assert refused.value.message == direct.NOT_A_PARTICIPANT
    else:
        assert direct.partner_in(CONVERSATION, who.user_id) == partner
    assert direct.takes_part(who.user_id, MESSAGE) is takes_part
    assert direct.owns_message(who.user_id, MESSAGE) is owns


@pytest.mark.parametrize(
    ("who", "expected"),
    [(ALICE, True), (BOB, False), (ADMIN, False)],
    ids=["its user", "another user", "admin"],
)
def test_only_its_user_reads_a_user_channel(who: Principal, expected: bool) -> None:
    assert owns_user_channel(who, ALICE.user_id) is expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [(ALICE, True), (BOB, False), (ADMIN, False)],
    ids=["uploader", "another user", "admin"],
)
def test_only_its_uploader_owns_a_file(who: Principal, expected: bool) -> None:
    record = FileRecord(
        id="f1", owner_id=ALICE.user_id, name="a.png", content_type="image/png", size=3,
        blob_key="k", created_at=0.0,
    )
    assert owns_file(who, record) is expected
