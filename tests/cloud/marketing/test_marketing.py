"""Segments, recommendations, and campaign sends: opt-out respected, throttle logged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.marketing import recommend, rfm, service
from cloud.marketing.channels import DevelopmentChannel
from cloud.marketing.models import Campaign, Notification
from cloud.members import service as members

NOW = datetime(2026, 3, 2, tzinfo=UTC)


def test_rfm_ranks_recent_frequent_big_spenders_first() -> None:
    figs = [
        rfm.Figures(i, NOW - timedelta(days=d), v, Decimal(s))
        for i, (d, v, s) in enumerate([(1, 30, 3000), (200, 2, 40), (3, 1, 20), (90, 12, 900)])
    ] + [rfm.Figures(9, None, 0, Decimal(0))]
    scored = rfm.score(figs, NOW)
    assert scored[0].segment == "champions"
    assert scored[1].segment in ("lost", "hibernating")
    assert scored[9].segment == "new"
    assert sum(rfm.counts(scored).values()) == len(figs)


@given(st.lists(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=5), max_size=30))
def test_recommendations_are_well_formed(baskets: list[list[str]]) -> None:
    model = recommend.train(baskets)
    recs = recommend.for_member(model, [frozenset(b) for b in baskets[-3:]], k=4)
    assert len(recs) == len(set(recs)) <= 4
    assert set(recs) <= set("abcdefgh")
    for item in "ab":
        assert item not in recommend.together(model, item)


def test_together_finds_the_pair() -> None:
    model = recommend.train([["tea", "cake"]] * 5 + [["tea", "milk"], ["milk"], ["milk"]])
    assert recommend.together(model, "tea")[0] == "cake"
    assert recommend.hit_rate([["cake"], ["x"]], [{"cake", "tea"}, {"milk"}]) == 0.5


def test_campaign_send_respects_opt_in_and_throttle(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as s:
        ids = [members.create_member(s, phone=f"1390000000{i}", name=f"M{i}").id for i in range(4)]
        for mid in ids[:3]:
            service.set_opt_in(s, mid, "sms", True, NOW)
        service.set_opt_in(s, ids[2], "sms", False, NOW)  # opted out again
        campaign = Campaign(code="SPRING", name="Spring", coupon_prefix="SP",
                            coupon_value=Decimal(5), channel="sms", created_at=NOW,
                            message="{name}: {code}")  # fmt: skip
        s.add(campaign)
        s.flush()
        channel = DevelopmentChannel(name="sms")
        report = service.send_campaign(s, campaign, channel, now=NOW, member_ids=ids, per_minute=1)
        again = service.send_campaign(s, campaign, channel, now=NOW, member_ids=ids, per_minute=1)
    assert (report.coupons, report.sent, report.throttled, report.opted_out) == (4, 1, 1, 2)
    assert again.coupons == 0  # per-member limit: a re-run issues no twins
    assert len(channel.sent) == 1
    assert channel.sent[0][2].startswith("M0: SP")
    with session_factory() as s:
        statuses = sorted(n.status for n in s.scalars(select(Notification)))
        assert statuses == ["opted_out", "opted_out", "sent", "throttled"]
