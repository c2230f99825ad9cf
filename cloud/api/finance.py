"""/finance: profit and loss per period, Z report settlement, expenses."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from cloud.deps import ManagerUser, NowDep, SessionDep, audit, store_for
from cloud.finance import service
from cloud.finance.exceptions import FinanceError
from cloud.finance.periods import Period
from cloud.finance.schemas import (
    DifferenceOut,
    ExpenseIn,
    ExpenseOut,
    PnlOut,
    RecurringExpenseIn,
    SettlementOut,
)
from cloud.reports.render import Format, respond
from cloud.reports.table import Cell, Chart, Report
from cloud.stores.localtime import local_yesterday, zone

router = APIRouter(prefix="/finance", tags=["finance"])
StoreQ = Annotated[str, Query(max_length=32, description="Store code")]
MAX_DAYS = 366 * 3


def _range(first: date, last: date) -> None:
    if last < first:
        raise FinanceError("'to' is before 'from'")
    if (last - first).days > MAX_DAYS:
        raise FinanceError(f"at most {MAX_DAYS} days per request")
    if first <= date.min + timedelta(days=2) or last >= date.max - timedelta(days=2):
        raise FinanceError("date out of range")


def _pnl_report(rows: list[service.PnlRow]) -> Report:
    cats = sorted({c for r in rows for c in r.expenses_by_category})
    body: list[list[Cell]] = [
        [
            r.start,
            r.end,
            r.sales_count,
            r.revenue,
            r.discounts,
            r.tax,
            r.cogs,
            r.gross_profit,
            *(r.expenses_by_category.get(c, service.ZERO) for c in cats),
            r.expenses,
            r.net_profit,
        ]
        for r in rows
    ]
    return Report(
        "profit-and-loss",
        "Profit and loss",
        [
            "start",
            "end",
            "sales_count",
            "revenue",
            "discounts",
            "tax",
            "cogs",
            "gross_profit",
            *(f"expenses_{c}" for c in cats),
            "expenses",
            "net_profit",
        ],
        body,
        chart=Chart("start", "net_profit"),
    )


@router.get(
    "/pnl",
    response_model=list[PnlOut],
    responses={200: {"content": {"text/csv": {}, "image/svg+xml": {}, "text/html": {}}}},
)
def pnl(
    request: Request,
    user: ManagerUser,
    session: SessionDep,
    store: StoreQ,
    from_: Annotated[date, Query(alias="from", description="First local business day")],
    to: Annotated[date, Query(description="Last local business day (inclusive)")],
    period: Annotated[Period, Query(description="day, week (ISO), month or year")] = "month",
    format: Annotated[Format, Query(description="json, csv, svg or html")] = "json",
) -> Response | list[PnlOut]:
    """net_profit = revenue − cost of goods (moving average) − expenses, per period."""
    _range(from_, to)
    st = store_for(session, user, store)
    rows = service.profit_and_loss(session, st, period, from_, to)
    if format != "json":
        rep = _pnl_report(rows)
        rep.params = {
            "store": store,
            "from": from_.isoformat(),
            "to": to.isoformat(),
            "period": period,
        }
        return respond(rep, format, "?" + request.url.include_query_params(format="csv").query)
    return [
        PnlOut(
            start=r.start,
            end=r.end,
            sales_count=r.sales_count,
            revenue=r.revenue,
            discounts=r.discounts,
            tax=r.tax,
            cogs=r.cogs,
            gross_profit=r.gross_profit,
            expenses=r.expenses,
            expenses_by_category=r.expenses_by_category,
            net_profit=r.net_profit,
        )
        for r in rows
    ]


@router.get("/settlement", response_model=list[SettlementOut])
def settlement(
    user: ManagerUser,
    session: SessionDep,
    store: StoreQ,
    now: NowDep,
    day: Annotated[
        date | None,
        Query(alias="date", description="Business day; default: yesterday in the store's zone"),
    ] = None,
) -> list[SettlementOut]:
    """Each kiosk's Z report against the recorded sales, differences with their cause."""
    st = store_for(session, user, store)
    day = day or local_yesterday(zone(st.timezone), now)
    _range(day, day)
    return [
        SettlementOut(
            node=s.node,
            report_no=s.report_no,
            balanced=s.balanced,
            sales_count_kiosk=s.sales_count_kiosk,
            sales_count_cloud=s.sales_count_cloud,
            total_kiosk=s.total_kiosk,
            total_cloud=s.total_cloud,
            tenders_kiosk=s.tenders_kiosk,
            tenders_cloud=s.tenders_cloud,
            refunds_kiosk=s.refunds_kiosk,
            refunds_cloud=s.refunds_cloud,
            cash_expected=s.cash_expected,
            differences=[
                DifferenceOut(
                    field=d.field,
                    cause=d.cause,
                    kiosk=None if d.kiosk is None else str(d.kiosk),
                    cloud=None if d.cloud is None else str(d.cloud),
                    detail=d.detail,
                )
                for d in s.differences
            ],
        )
        for s in service.settle_day(session, st, day)
    ]


@router.post("/expenses", response_model=ExpenseOut, status_code=201)
def add_expense(body: ExpenseIn, user: ManagerUser, session: SessionDep, now: NowDep) -> ExpenseOut:
    st = store_for(session, user, body.store)
    row = service.add_expense(
        session,
        store_id=st.id,
        category=body.category,
        amount=body.amount,
        on=body.on,
        note=body.note,
    )
    audit(session, user, now, "create", "expense", row.id, store_id=st.id)
    session.commit()
    return ExpenseOut(
        id=row.id,
        store=st.code,
        category=row.category,
        amount=row.amount,
        on=row.incurred_on,
        note=row.note,
    )


@router.post("/recurring-expenses", response_model=ExpenseOut, status_code=201)
def add_recurring(
    body: RecurringExpenseIn, user: ManagerUser, session: SessionDep, now: NowDep
) -> ExpenseOut:
    st = store_for(session, user, body.store)
    row = service.add_recurring_expense(
        session,
        store_id=st.id,
        category=body.category,
        amount=body.amount,
        starts_on=body.starts_on,
        day_of_month=body.day_of_month,
        ends_on=body.ends_on,
        note=body.note,
    )
    audit(session, user, now, "create", "recurring_expense", row.id, store_id=st.id)
    session.commit()
    return ExpenseOut(
        id=row.id,
        store=st.code,
        category=row.category,
        amount=row.amount,
        on=row.starts_on,
        note=row.note,
        recurring=True,
    )


@router.get("/expenses", response_model=list[ExpenseOut])
def list_expenses(
    user: ManagerUser,
    session: SessionDep,
    store: StoreQ,
    from_: Annotated[date, Query(alias="from", description="First day")],
    to: Annotated[date, Query(description="Last day (inclusive)")],
) -> list[ExpenseOut]:
    """One-off expenses and each occurrence of the recurring ones in the range."""
    _range(from_, to)
    st = store_for(session, user, store)
    return [
        ExpenseOut(
            id=i.id,
            store=st.code,
            category=i.category,
            amount=i.amount,
            on=i.on,
            note=i.note,
            recurring=i.recurring,
        )
        for i in service.expense_items(session, st.id, from_, to)
    ]
