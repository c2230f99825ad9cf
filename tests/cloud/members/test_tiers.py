"""Tiers move by the figures of recorded sales, read through sales and handed in by the
shell: a member who spent enough is promoted, one with no sale in the window falls back."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.members import tiers
from cloud.members.models import Member, TierChange
from cloud.sales import service as sales
from tests.cloud.factories import T0
from tests.cloud.members.helpers import PHONE, deliver, member_sale, pipeline, seed

POLICY = tiers.TierPolicy(
    tiers=(
        tiers.Tier(name="basic", min_spend=Decimal(0), min_visits=0),
        tiers.Tier(name="silver", min_spend=Decimal(200), min_visits=3),
    )
)


def _refresh(factory: sessionmaker[Session], days: int) -> list[tiers.Change]:
    now = T0 + timedelta(days=days)
    with transaction(factory) as s:
        stats = sales.member_figures(s, tiers.window_start(POLICY, now))
        return tiers.refresh_tiers(s, now=now, policy=POLICY, stats=stats)


def test_spend_in_the_window_promotes_and_a_quiet_year_demotes(
    session_factory: sessionmaker[Session],
) -> None:
    seed(session_factory)
    pipe = pipeline(session_factory)
    deliver(pipe, member_sale("S-1"), seq=1)
    deliver(pipe, member_sale("S-2"), seq=2)  # 2 x 119.00 paid: over the 200.00 threshold
    with session_factory() as s:
        member = s.scalars(select(Member).where(Member.phone == PHONE)).one()
        assert sales.member_figures(s, T0 - timedelta(days=1)) == {
            member.id: (Decimal("238.00"), 2)
        }
    [up] = _refresh(session_factory, days=1)
    assert (up.member_id, up.old, up.new, up.visits) == (member.id, "basic", "silver", 2)
    assert up.upgrade(POLICY)
    assert _refresh(session_factory, days=2) == []  # nothing changed since
    [down] = _refresh(session_factory, days=400)  # the sales fell out of the window
    assert (down.old, down.new, down.spend, down.visits) == ("silver", "basic", 0, 0)
    with session_factory() as s:
        assert s.scalars(select(Member.tier).where(Member.id == member.id)).one() == "basic"
        history = [(c.old_tier, c.new_tier) for c in tiers.history(s, member.id)]
        assert history == [("silver", "basic"), ("basic", "silver")]
        assert len(s.scalars(select(TierChange)).all()) == 2
