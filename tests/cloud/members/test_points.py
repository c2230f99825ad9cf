"""Points: earned once per sale however often it arrives; offline over-redemption reconciled;
the ledger always balances and never goes negative (property test)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.members import service
from cloud.members.models import Member, PointsEntry, PointsShortfall
from tests.cloud.factories import T0
from tests.cloud.members.helpers import PHONE, deliver, member_sale, pipeline, seed


def _member(s: Session) -> Member:
    return s.scalars(select(Member).where(Member.phone == PHONE)).one()


def _ledger_sum(s: Session, member_id: int) -> int:
    return int(
        s.scalar(select(func.sum(PointsEntry.points)).where(PointsEntry.member_id == member_id))
        or 0
    )


def test_sale_delivered_three_times_awards_once(session_factory: sessionmaker[Session]) -> None:
    seed(session_factory)
    pipe = pipeline(session_factory)
    data = member_sale("S-1")
    deliver(pipe, data, seq=1, copies=2)  # twice in one batch
    deliver(pipe, data, seq=1)  # and a third time later
    with session_factory() as s:
        m = _member(s)
        earns = s.scalars(select(PointsEntry).where(PointsEntry.kind == "earn")).all()
        assert len(earns) == 1
        assert m.points_balance == earns[0].points == 119  # paid 119.00, 1 point per 1.00
        assert _ledger_sum(s, m.id) == m.points_balance


def test_offline_redemption_beyond_balance_is_clamped_and_reported(
    session_factory: sessionmaker[Session],
) -> None:
    seed(session_factory)
    pipe = pipeline(session_factory)
    deliver(pipe, member_sale("S-1"), seq=1)  # +119
    # Two kiosks offline each let the member spend 300 points (within the offline limit of
    # 500) while the cloud knows far less: the cloud takes what exists and reports the rest.
    deliver(pipe, member_sale("S-2", points=300), seq=1, node="kiosk-2")
    deliver(pipe, member_sale("S-3", points=300), seq=2)
    with session_factory() as s:
        m = _member(s)
        shortfalls = s.scalars(select(PointsShortfall).order_by(PointsShortfall.sale_id)).all()
        assert [x.sale_id for x in shortfalls] == ["S-2", "S-3"]
        assert all(x.asked == 300 and x.taken < 300 for x in shortfalls)
        assert m.points_balance == 0
        assert _ledger_sum(s, m.id) == m.points_balance
        redeemed = -sum(
            e.points for e in s.scalars(select(PointsEntry).where(PointsEntry.kind == "redeem"))
        )
        earned = sum(
            e.points for e in s.scalars(select(PointsEntry).where(PointsEntry.kind == "earn"))
        )
        assert redeemed == sum(x.taken for x in shortfalls)
        assert m.points_balance == earned - redeemed


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("sale"), st.integers(0, 5), st.integers(0, 300)),
        st.tuples(st.just("again"), st.integers(0, 5), st.just(0)),
        st.tuples(st.just("expire"), st.just(0), st.just(0)),
        st.tuples(st.just("adjust"), st.just(0), st.integers(-50, 50)),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=OPS)
def test_ledger_balances_and_never_goes_negative(
    sqlite_factory: sessionmaker[Session], ops: list[tuple[str, int, int]]
) -> None:
    """balance = Σ earn − Σ redeem − Σ expire (+ adjust), ≥ 0, whatever happens."""
    with transaction(sqlite_factory) as s:
        m = service.create_member(s, phone=f"139{len(ops):02d}{abs(hash(tuple(ops))) % 10**6:06d}")
        mid = m.id
    now = T0
    sent: list[service.Award] = []
    for i, (op, which, n) in enumerate(ops):
        now += timedelta(days=40)
        with transaction(sqlite_factory) as s:
            if op == "sale":
                sale_id = f"{mid}-S{i}"
                awards = [service.Award(mid, sale_id, "earn", 20 + which, Decimal(20), now)]
                if n:
                    awards.append(service.Award(mid, sale_id, "redeem", -n, Decimal(20), now))
                service.apply_awards(s, awards)
                sent.extend(awards)
            elif op == "again" and sent:
                service.apply_awards(s, [sent[which % len(sent)]])
            elif op == "expire":
                service.expire_points(s, now=now)
            elif op == "adjust":
                bal = s.get(Member, mid)
                assert bal is not None
                if bal.points_balance + n >= 0:
                    service.adjust_points(s, mid, n, kind="adjust", reason="t", now=now)
        with sqlite_factory() as s:
            member = s.get(Member, mid)
            assert member is not None
            by_kind = dict(
                s.execute(
                    select(PointsEntry.kind, func.sum(PointsEntry.points))
                    .where(PointsEntry.member_id == mid)
                    .group_by(PointsEntry.kind)
                ).all()
            )
            earn = int(by_kind.get("earn", 0) or 0)
            redeem = -int(by_kind.get("redeem", 0) or 0)
            expire = -int(by_kind.get("expire", 0) or 0)
            adjust = int(by_kind.get("adjust", 0) or 0)
            assert member.points_balance == earn - redeem - expire + adjust
            assert member.points_balance >= 0
            assert redeem >= 0
            assert expire >= 0
