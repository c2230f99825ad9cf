"""Coupons: one code used on two offline kiosks — the database keeps one redemption and the
other sale is reported; unknown/expired codes are reported too, never crash ingest."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.members import coupons
from cloud.members.exceptions import CouponError
from cloud.members.models import Coupon, CouponConflict, CouponRedemption, Member
from cloud.sales.models import Sale
from tests.cloud.factories import T0
from tests.cloud.members.helpers import PHONE, deliver, member_sale, pipeline, seed


def _issue(factory: sessionmaker[Session], **kw: object) -> str:
    with transaction(factory) as s:
        member = s.scalars(select(Member).where(Member.phone == PHONE)).one()
        coupon = coupons.issue(
            s,
            prefix="CP",
            kind="amount_off",
            value=Decimal(5),
            now=T0 - timedelta(days=1),
            member_id=member.id,
            expires_at=T0 + timedelta(days=30),
            **kw,  # type: ignore[arg-type]
        )
        assert coupon is not None
        return coupon.code


def test_same_coupon_on_two_offline_kiosks_one_stands(
    session_factory: sessionmaker[Session],
) -> None:
    seed(session_factory)
    code = _issue(session_factory)
    pipe = pipeline(session_factory)
    # Both kiosks were offline and honoured the code; their backlogs arrive later.
    deliver(pipe, member_sale("K1-S", coupon=code), seq=1, node="kiosk-1")
    deliver(pipe, member_sale("K2-S", coupon=code), seq=1, node="kiosk-2")
    deliver(pipe, member_sale("K2-S", coupon=code), seq=1, node="kiosk-2")  # redelivered
    with session_factory() as s:
        assert len(s.scalars(select(Sale)).all()) == 2  # both sales stand as sales
        redemption = s.scalars(select(CouponRedemption)).one()
        conflict = s.scalars(select(CouponConflict)).one()
        assert redemption.code == conflict.code == code
        assert {redemption.sale_id, conflict.sale_id} == {"K1-S", "K2-S"}
        assert conflict.reason == "already_used"
        assert conflict.winner_sale_id == redemption.sale_id
        assert conflict.amount == Decimal("5.00")
        assert s.scalars(select(Coupon)).one().redeemed_sale_id == redemption.sale_id
        with pytest.raises(CouponError) as err:
            coupons.check(s, code, now=T0)
        assert err.value.reason == "used"


def test_unknown_and_expired_codes_are_reported(session_factory: sessionmaker[Session]) -> None:
    seed(session_factory)
    expired = _issue(session_factory)
    with transaction(session_factory) as s:
        row = s.scalars(select(Coupon).where(Coupon.code == expired)).one()
        row.expires_at = T0 - timedelta(hours=1)
    pipe = pipeline(session_factory)
    deliver(pipe, member_sale("S-1", coupon="CPNOSUCHCODE"), seq=1)
    deliver(pipe, member_sale("S-2", coupon=expired), seq=2)
    with session_factory() as s:
        reasons = {c.sale_id: c.reason for c in s.scalars(select(CouponConflict))}
        assert reasons == {"S-1": "unknown", "S-2": "expired"}
        assert s.scalars(select(CouponRedemption)).all() == []
        assert len(s.scalars(select(Sale)).all()) == 2


def test_per_member_limit_and_idempotent_automatic_issue(
    session_factory: sessionmaker[Session],
) -> None:
    seed(session_factory)
    with transaction(session_factory) as s:
        member = s.scalars(select(Member).where(Member.phone == PHONE)).one()
        got = [
            coupons.issue(
                s,
                prefix="CA",
                kind="percent_off",
                value=Decimal(10),
                now=T0,
                member_id=member.id,
                campaign_id=7,
                per_member_limit=2,
            )
            for _ in range(3)
        ]
        assert [c is not None for c in got] == [True, True, False]
        first = coupons.issue(
            s,
            prefix="BD",
            kind="amount_off",
            value=Decimal(8),
            now=T0,
            member_id=member.id,
            issue_key=f"birthday:{member.id}:2026",
        )
        again = coupons.issue(
            s,
            prefix="BD",
            kind="amount_off",
            value=Decimal(8),
            now=T0,
            member_id=member.id,
            issue_key=f"birthday:{member.id}:2026",
        )
        assert first is not None
        assert again is None
        with pytest.raises(CouponError):
            coupons.issue(s, prefix="X", kind="amount_off", value=Decimal(0), now=T0)
        future = coupons.issue(
            s,
            prefix="FU",
            kind="amount_off",
            value=Decimal(1),
            now=T0,
            valid_from=T0 + timedelta(days=1),
        )
        assert future is not None
        with pytest.raises(CouponError) as err:
            coupons.check(s, future.code, now=T0)
        assert err.value.reason == "not_yet"
