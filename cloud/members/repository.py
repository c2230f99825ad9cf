"""Member queries, and the points ledger and balance writes of sale ingest."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, bindparam, or_, select, update
from sqlalchemy.orm import Session

from cloud.db.paging import paged
from cloud.db.upsert import (
    driver_connection,
    insert_ignore,
    is_postgres,
    json_rows,
    rows_json,
    table_of,
)
from cloud.members.models import Member, PointsEntry


def by_phone(session: Session, phone: str) -> Member | None:
    return session.scalars(select(Member).where(Member.phone == phone)).one_or_none()


def by_card(session: Session, card: str) -> Member | None:
    return session.scalars(select(Member).where(Member.card == card)).one_or_none()


def ids_for(
    session: Session, phones: Iterable[str], cards: Iterable[str]
) -> dict[tuple[str, str], int]:
    """("phone", number) / ("card", number) → member id, in at most two queries."""
    found: dict[tuple[str, str], int] = {}
    phone_list, card_list = sorted(set(phones)), sorted(set(cards))
    if phone_list:
        for mid, phone in session.execute(
            select(Member.id, Member.phone).where(Member.phone.in_(phone_list))
        ):
            found[("phone", str(phone))] = mid
    if card_list:
        for mid, card in session.execute(
            select(Member.id, Member.card).where(Member.card.in_(card_list))
        ):
            found[("card", str(card))] = mid
    return found


def tiers_of(session: Session, member_ids: Iterable[int]) -> dict[int, str]:
    """member id → tier name, in one query (ingest applies the tier's points multiplier)."""
    ids = sorted(set(member_ids))
    if not ids:
        return {}
    return {
        int(mid): str(tier)
        for mid, tier in session.execute(select(Member.id, Member.tier).where(Member.id.in_(ids)))
    }


def ledger(session: Session, member_id: int, limit: int = 100) -> Sequence[PointsEntry]:
    stmt = (
        select(PointsEntry)
        .where(PointsEntry.member_id == member_id)
        .order_by(PointsEntry.created_at.desc(), PointsEntry.id.desc())
        .limit(limit)
    )
    return session.scalars(stmt).all()


_LEDGER_COLUMNS = ("member_id", "kind", "points", "sale_id", "reason", "created_at")

BalanceDelta = tuple[int, int, Decimal]
"""(member id, points to add, lifetime spend to add) of one award."""


def insert_ledger(session: Session, rows: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """Insert-or-ignore ledger rows; (sale_id, kind) of the new ones. One constant statement
    over a JSON record set on PostgreSQL (the ingest hot path)."""
    if is_postgres(session):
        table = table_of(PointsEntry)
        sql = (
            f"INSERT INTO {table.name} ({', '.join(_LEDGER_COLUMNS)}) SELECT * FROM "  # noqa: S608
            f"{json_rows(table, _LEDGER_COLUMNS)} ORDER BY sale_id, kind "
            "ON CONFLICT DO NOTHING RETURNING sale_id, kind"
        )
        with driver_connection(session).cursor() as cur:
            cur.execute(sql, [rows_json(rows)])
            return {(str(sid), str(kind)) for sid, kind in cur.fetchall()}
    stmt = insert_ignore(session, PointsEntry).returning(PointsEntry.sale_id, PointsEntry.kind)
    return {(str(sid), str(kind)) for sid, kind in session.execute(stmt, rows)}


def move_balances(session: Session, deltas: Sequence[BalanceDelta]) -> None:
    """Add each delta to its member's points balance and lifetime spend."""
    if is_postgres(session):
        _move_balances_pg(session, deltas)
        return
    members = table_of(Member)
    new_spend = members.c.lifetime_spend + bindparam("d_spend")
    # the tier follows the rolling 12 months (cloud.members.tiers), not lifetime spend
    stmt = (
        update(members)
        .where(members.c.id == bindparam("m_id"))
        .values(
            points_balance=members.c.points_balance + bindparam("d_points"),
            lifetime_spend=new_spend,
        )
    )
    params = [{"m_id": m, "d_points": p, "d_spend": s} for m, p, s in deltas]
    session.connection().execute(stmt, params)


def _move_balances_pg(session: Session, deltas: Sequence[BalanceDelta]) -> None:
    """One UPDATE for the whole batch, summed per member, in id order (lock order)."""
    delta: dict[int, tuple[int, Decimal]] = {}
    for member_id, add_points, add_spend in deltas:
        points, spend = delta.get(member_id, (0, Decimal(0)))
        delta[member_id] = (points + add_points, spend + add_spend)
    ids = sorted(delta)
    sql = (
        "UPDATE members AS m SET points_balance = m.points_balance + d.points, "
        "lifetime_spend = m.lifetime_spend + d.spend "
        "FROM unnest(%s::int4[], %s::int4[], %s::numeric[]) AS d(id, points, spend) "
        "WHERE m.id = d.id"
    )
    with driver_connection(session).cursor() as cur:
        cur.execute(sql, [ids, [delta[i][0] for i in ids], [delta[i][1] for i in ids]])


def page(
    session: Session,
    *,
    phone: str | None,
    card: str | None,
    q: str | None,
    tier: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Member], int]:
    """Members by id, filtered (``q``: name, phone or card contains); one page and the count."""
    stmt = select(Member).order_by(Member.id)
    if q:
        stmt = stmt.where(_contains(q))
    if phone is not None:
        stmt = stmt.where(Member.phone == phone)
    if card is not None:
        stmt = stmt.where(Member.card == card)
    if tier is not None:
        stmt = stmt.where(Member.tier == tier)
    return paged(session, stmt, limit, offset)


def search(session: Session, q: str, limit: int) -> Sequence[Member]:
    """The first ``limit`` members by id whose name, phone or card contains ``q``."""
    return session.scalars(
        select(Member).where(_contains(q)).order_by(Member.id).limit(limit)
    ).all()


def _contains(q: str) -> ColumnElement[bool]:
    return or_(
        Member.name.contains(q, autoescape=True),
        Member.phone.contains(q, autoescape=True),
        Member.card.contains(q, autoescape=True),
    )


def points_page(
    session: Session, member_id: int, *, limit: int, offset: int
) -> tuple[Sequence[PointsEntry], int]:
    """The member's ledger, newest first; one page and the count."""
    stmt = (
        select(PointsEntry)
        .where(PointsEntry.member_id == member_id)
        .order_by(PointsEntry.created_at.desc(), PointsEntry.id.desc())
    )
    return paged(session, stmt, limit, offset)
