"""Process a return in one transaction: refund plan, stock, points, coupons, finance.

The sale row is locked (``SELECT … FOR UPDATE``; SQLite serialises writers) while the
already-returned quantities are read, so two attendants returning the same lines at once
cannot both succeed. ``return_no`` is UNIQUE: a kiosk return event delivered again is a no-op.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cloud.inventory import service as inventory
from cloud.inventory.models import Movement
from cloud.members import coupons
from cloud.members.models import Member, PointsEntry
from cloud.returns import repository
from cloud.returns.exceptions import ReturnRefusedError, SaleNotFoundError
from cloud.returns.models import RefundEntry, Return, ReturnLine, ReturnRefund
from cloud.sales.models import Sale, SaleLine, Tender
from contracts.pricebook import PointsPolicy
from contracts.refunds import (
    LineRefund,
    RefundError,
    RefundPlan,
    SoldLine,
    SoldSale,
    plan_refund,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Wanted:
    line_no: int
    qty: Decimal
    disposition: str = "restock"


def sale_number(raw: str) -> str:
    """A receipt QR carries a URL ending in the sale number; accept either."""
    return raw.strip().rstrip("/").rsplit("/", 1)[-1]


def new_return_no(now: datetime) -> str:
    return f"R{now:%Y%m%d}-{secrets.token_hex(4).upper()}"


def sold(session: Session, sale: Sale) -> tuple[SoldSale, dict[int, SaleLine]]:
    lines = {
        ln.line_no: ln
        for ln in session.scalars(
            select(SaleLine).where(SaleLine.sale_pk == sale.id).order_by(SaleLine.line_no)
        )
    }
    tenders = session.execute(
        select(Tender.method, Tender.amount).where(Tender.sale_pk == sale.id).order_by(Tender.id)
    ).all()
    return (
        SoldSale(
            lines=tuple(
                SoldLine(no, ln.qty, ln.amount, ln.discount) for no, ln in sorted(lines.items())
            ),
            discount_total=sale.discount_total,
            tax_total=sale.tax_total,
            tax_inclusive=sale.tax_inclusive,
            total=sale.total,
            tenders=tuple((m, a) for m, a in tenders),
            change=sale.change,
            points_earned=sale.points_earned,
        ),
        lines,
    )


def find_sale(session: Session, sale_id: str, *, lock: bool = False) -> Sale:
    stmt = select(Sale).where(Sale.sale_id == sale_id)
    if lock:
        stmt = stmt.with_for_update()
    sale = session.scalars(stmt).one_or_none()
    if sale is None:
        raise SaleNotFoundError(f"sale {sale_id} not found")
    return sale


def process_return(
    session: Session,
    *,
    sale_id: str,
    wanted: Sequence[Wanted],
    reason: str,
    now: datetime,
    return_no: str | None = None,
    node: str | None = None,
    processed_by: str | None = None,
    policy: PointsPolicy | None = None,
) -> Return:
    """Apply a return; :class:`ReturnRefusedError` when the lines are not (all) returnable."""
    policy = policy or PointsPolicy()
    if return_no is not None:
        existing = session.scalars(select(Return).where(Return.return_no == return_no)).first()
        if existing is not None:
            return existing
    sale = find_sale(session, sale_id, lock=True)
    plan, lines, where = _plan(session, sale, wanted)
    points_back = sum(
        (
            int((a / policy.redeem_value).to_integral_value(ROUND_DOWN))
            for m, a in plan.tenders
            if m == "points"
        ),
        0,
    )
    ret = Return(
        return_no=return_no or new_return_no(now),
        sale_pk=sale.id,
        store_id=sale.store_id,
        node=node,
        reason=reason,
        refund_total=plan.total,
        tax=plan.tax,
        discount=plan.discount,
        points_reversed=0,
        points_refunded=points_back,
        full=plan.full,
        processed_by=processed_by,
        occurred_at=now,
    )
    session.add(ret)
    session.flush()
    cost = _lines_and_stock(session, ret, sale, plan.lines, lines, where, now)
    _refund(session, ret, sale, plan, points_back, now)
    session.add(
        RefundEntry(
            store_id=sale.store_id,
            return_pk=ret.id,
            occurred_at=now,
            revenue=-(plan.total - plan.tax),
            discount=-plan.discount,
            tax=-plan.tax,
            cost=-cost,
        )
    )
    session.flush()
    log.info("return %s of sale %s: %s refunded", ret.return_no, sale.sale_id, plan.total)
    return ret


def _plan(
    session: Session, sale: Sale, wanted: Sequence[Wanted]
) -> tuple[RefundPlan, dict[int, SaleLine], dict[int, str]]:
    """The refund plan of the wanted lines against what is left of the (locked) sale, the
    sale's lines by number, and where each returned line goes."""
    sale_view, lines = sold(session, sale)
    asked: dict[int, Decimal] = {}
    where: dict[int, str] = {}
    for w in wanted:
        asked[w.line_no] = asked.get(w.line_no, Decimal(0)) + w.qty
        where[w.line_no] = w.disposition
    try:
        plan = plan_refund(
            sale_view,
            asked,
            repository.returned_qty(session, sale.id),
            repository.refunded_by_method(session, sale.id),
            repository.points_reversed(session, sale.id),
        )
    except RefundError as exc:
        raise ReturnRefusedError(str(exc)) from exc
    return plan, lines, where


def _refund(
    session: Session, ret: Return, sale: Sale, plan: RefundPlan, points_back: int, now: datetime
) -> None:
    """The money back per tender, the member's points reversed, and coupons released when the
    whole sale comes back."""
    for method, amount in plan.tenders:
        session.add(
            ReturnRefund(
                return_pk=ret.id,
                method=method,
                amount=amount,
                node=ret.node if method == "cash" else None,
            )
        )
    if sale.member_id is not None:
        ret.points_reversed = _reverse_points(
            session, ret, sale.member_id, plan.points_reversed, points_back, now
        )
    if plan.full:
        released = coupons.release(session, sale.sale_id)
        if released:
            ret.note = (ret.note + f" coupons released: {', '.join(released)}").strip()


def _lines_and_stock(
    session: Session,
    ret: Return,
    sale: Sale,
    refunds: Sequence[LineRefund],
    lines: Mapping[int, SaleLine],
    where: Mapping[int, str],
    now: datetime,
) -> Decimal:
    """Return lines plus ledger movements; returns the cost of goods reversed.

    Restocked or not, the goods come back as a negative sale (``kind='sale'``, positive qty,
    so the moving-average costing reverses their cost of goods); damaged ones then leave
    again as an ``adjustment`` with reason ``damaged``.
    """
    cost = Decimal(0)
    for refund in refunds:
        no, qty = refund.line_no, refund.qty
        line = lines[no]
        disposition = where.get(no, "restock")
        session.add(
            ReturnLine(
                return_pk=ret.id,
                sale_pk=sale.id,
                line_no=no,
                gtin=line.gtin,
                qty=qty,
                amount=refund.amount,
                tax=refund.tax,
                disposition=disposition,
            )
        )
        unit_cost = session.scalar(
            select(Movement.unit_cost)
            .where(Movement.reference == sale.sale_id, Movement.gtin == line.gtin)
            .where(Movement.kind == "sale")
            .limit(1)
        )
        if unit_cost is not None:
            cost += unit_cost * qty
        base = {
            "store_id": sale.store_id,
            "product_id": line.product_id,
            "gtin": line.gtin,
            "unit_cost": unit_cost,
            "reference": ret.return_no,
            "occurred_at": now,
        }
        rows = [{**base, "kind": "sale", "qty": qty, "reason": "return"}]
        if disposition == "damaged":
            rows.append({**base, "kind": "adjustment", "qty": -qty, "reason": "damaged"})
        inventory.record_movements(session, rows)
    return cost.quantize(Decimal("0.01"))


def _reverse_points(
    session: Session, ret: Return, member_id: int, earned_back: int, refunded: int, now: datetime
) -> int:
    """Take back earned points (never below zero) and give back points spent; the ledger rows
    are keyed by the return number, so they are written once."""
    if refunded:
        _ledger(session, member_id, refunded, f"{ret.return_no}/points-back", now)
    if earned_back <= 0:
        return 0
    balance = session.scalar(
        select(Member.points_balance).where(Member.id == member_id).with_for_update()
    )
    taken = max(0, min(earned_back, int(balance or 0)))
    if taken < earned_back:
        ret.note = (ret.note + f" {earned_back - taken} earned points already spent").strip()
    if taken:
        _ledger(session, member_id, -taken, f"{ret.return_no}/earned-back", now)
    return taken


def _ledger(session: Session, member_id: int, points: int, key: str, now: datetime) -> None:
    session.add(
        PointsEntry(
            member_id=member_id,
            kind="adjust",
            points=points,
            sale_id=key,
            reason=f"return {key}",
            created_at=now,
        )
    )
    session.execute(
        update(Member)
        .where(Member.id == member_id)
        .values(points_balance=Member.points_balance + points)
    )


def reasons_report(
    session: Session, store_ids: list[int] | None, start: datetime, end: datetime
) -> list[tuple[str, int, Decimal]]:
    """(reason, returns, refunded) in [start, end), most refunded first."""
    acc: dict[str, tuple[int, Decimal]] = {}
    for r in repository.in_period(session, store_ids, start, end):
        n, total = acc.get(r.reason, (0, Decimal(0)))
        acc[r.reason] = (n + 1, total + r.refund_total)
    return sorted(((k, n, t) for k, (n, t) in acc.items()), key=lambda x: (-x[2], x[0]))


def refund_totals(
    session: Session, store_id: int, start: datetime, end: datetime
) -> dict[str, Decimal]:
    """Refunds per method in [start, end) (finance settles them beside the Z report)."""
    return repository.refund_totals(session, store_id, start, end)


def refund_rows(
    session: Session, store_id: int, start: datetime, end: datetime
) -> Sequence[RefundEntry]:
    """Finance reversals of returns in [start, end), for the P&L beside revenue entries."""
    return repository.refund_rows(session, store_id, start, end)


def returned_qty(session: Session, sale_pk: int) -> dict[int, Decimal]:
    """Line number → quantity already returned of the sale."""
    return repository.returned_qty(session, sale_pk)


def returns_in(
    session: Session, store_ids: list[int] | None, start: datetime, end: datetime
) -> Sequence[Return]:
    return repository.in_period(session, store_ids, start, end)


def parts(session: Session, ret: Return) -> tuple[Sequence[ReturnLine], Sequence[ReturnRefund]]:
    """The return's lines and refunds, in recorded order."""
    return repository.lines_of(session, ret.id), repository.refunds_of(session, ret.id)


def sale_ids_of(session: Session, rows: Sequence[Return]) -> dict[int, str]:
    """Sale primary key → sale number of each return's sale."""
    return repository.sale_ids_of(session, (r.sale_pk for r in rows))
