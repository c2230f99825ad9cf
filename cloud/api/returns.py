"""/returns: look a sale up by number or receipt QR, return lines, list and report reasons."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Path, Query

from cloud.deps import (
    CurrentUser,
    NowDep,
    SessionDep,
    StaffUser,
    UtcQueryTime,
    audit,
    check_store_id,
    scope_store_ids,
)
from cloud.returns import service
from cloud.returns.models import Return
from cloud.returns.schemas import (
    ReasonRow,
    RefundOut,
    ReturnableLine,
    ReturnableOut,
    ReturnIn,
    ReturnLineOut,
    ReturnOut,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/returns", tags=["returns"])


def receipt_text(
    ret: Return, sale_id: str, lines: list[ReturnLineOut], refunds: list[RefundOut]
) -> str:
    rows = [f"RETURN {ret.return_no}", f"Sale {sale_id}", f"Reason: {ret.reason}"]
    rows += [f"  line {x.line_no} x{x.qty.normalize()}  -{x.amount}" for x in lines]
    rows += [f"Refund {r.method}: {r.amount}" for r in refunds]
    if ret.points_reversed:
        rows.append(f"Points taken back: {ret.points_reversed}")
    return "\n".join(rows)


def return_out(session: Session, ret: Return, sale_id: str) -> ReturnOut:
    line_rows, refund_rows = service.parts(session, ret)
    lines = [
        ReturnLineOut(line_no=x.line_no, qty=x.qty, amount=x.amount, disposition=x.disposition)
        for x in line_rows
    ]
    refunds = [RefundOut(method=r.method, amount=r.amount) for r in refund_rows]
    return ReturnOut(
        return_no=ret.return_no,
        sale_id=sale_id,
        reason=ret.reason,
        refund_total=ret.refund_total,
        tax=ret.tax,
        points_reversed=ret.points_reversed,
        points_refunded=ret.points_refunded,
        full=ret.full,
        occurred_at=ret.occurred_at,
        lines=lines,
        refunds=refunds,
        receipt=receipt_text(ret, sale_id, lines, refunds),
    )


@router.get("/sale/{sale_ref}", response_model=ReturnableOut)
def returnable(
    sale_ref: Annotated[str, Path(min_length=1, max_length=300)],
    user: StaffUser,
    session: SessionDep,
) -> ReturnableOut:
    sale = service.find_sale(session, service.sale_number(sale_ref))
    check_store_id(user, sale.store_id)
    _, lines = service.sold(session, sale)
    done = service.returned_qty(session, sale.id)
    return ReturnableOut(
        sale_id=sale.sale_id,
        total=sale.total,
        completed_at=sale.completed_at,
        member_id=sale.member_id,
        lines=[
            ReturnableLine(
                line_no=no,
                gtin=ln.gtin,
                name=ln.name,
                qty=ln.qty,
                returned=done.get(no, ln.qty * 0),
                amount=ln.amount,
            )
            for no, ln in sorted(lines.items())
        ],
    )


@router.post("", response_model=ReturnOut, status_code=201)
def create_return(body: ReturnIn, user: StaffUser, session: SessionDep, now: NowDep) -> ReturnOut:
    sale_id = service.sale_number(body.sale_id)
    sale = service.find_sale(session, sale_id)
    check_store_id(user, sale.store_id)
    ret = service.process_return(
        session,
        sale_id=sale_id,
        reason=body.reason,
        now=now,
        processed_by=user.username,
        wanted=[service.Wanted(x.line_no, x.qty, x.disposition) for x in body.lines],
    )
    audit(session, user, now, "return", "sale", sale.id, details={"return_no": ret.return_no})
    out = return_out(session, ret, sale_id)
    session.commit()
    return out


@router.get("", response_model=list[ReturnOut])
def list_returns(
    user: CurrentUser,
    session: SessionDep,
    from_: Annotated[UtcQueryTime, Query(alias="from")],
    to: UtcQueryTime,
    store: Annotated[str | None, Query(max_length=32)] = None,
) -> list[ReturnOut]:
    ids = scope_store_ids(session, user, store)
    rows = service.returns_in(session, ids, from_, to)
    sale_ids = service.sale_ids_of(session, rows)
    return [return_out(session, r, sale_ids[r.sale_pk]) for r in rows[:500]]


@router.get("/reasons", response_model=list[ReasonRow])
def reasons(
    user: CurrentUser,
    session: SessionDep,
    from_: Annotated[UtcQueryTime, Query(alias="from")],
    to: UtcQueryTime,
    store: Annotated[str | None, Query(max_length=32)] = None,
) -> list[ReasonRow]:
    ids = scope_store_ids(session, user, store)
    return [
        ReasonRow(reason=r, returns=n, refunded=t)
        for r, n, t in service.reasons_report(session, ids, from_, to)
    ]
