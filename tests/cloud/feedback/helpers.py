"""A member's sale of store-a through the ingest pipeline, and its e-receipt token."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.devices import service as devices
from cloud.ingest.pipeline import Inbound, Pipeline
from cloud.members import service as members
from cloud.settings import CloudSettings
from contracts.receipts import make_token, store_key
from tests.cloud.factories import envelope, message
from tests.cloud.members.helpers import member_sale


def receipt_of_member_sale(
    sessions: sessionmaker[Session], clock: Callable[[], datetime], settings: CloudSettings
) -> tuple[str, int]:
    """(receipt token, member id) of a fresh sale S-1 at store-a by the member 13800000001."""
    with transaction(sessions) as s:
        devices.register_device(s, "store-a", "kiosk-1", "kiosk")
        member_id = members.create_member(s, phone="13800000001", name="Li").id
    data = member_sale("S-1", member={"phone": "13800000001"})
    env = envelope("sale", data, seq=1, store="store-a", ts=clock())
    pipe = Pipeline(sessions, clock=clock)
    pipe.process([Inbound(*message(env))])
    assert pipe.applied == 1
    key = store_key(settings.secret_key.get_secret_value().encode(), "store-a")
    return make_token(key, "store-a", "S-1"), member_id
