"""E-receipts: ``GET /r/{token}`` shows a sale as a printable page, no login (SPEC §4), with a
feedback form (one piece of feedback per receipt; the store's reply shows here afterwards).

The token (:mod:`contracts.receipts`) names the store and the sale and is signed with the
store's receipt key, derived from the cloud's secret key: a token altered in any character,
one for another store's sale, or one for a sale not (yet) received is a plain 404, the same
page either way, so nothing is learnt by guessing. Times are the store's local time; the
language is the shopper's (Accept-Language, or ``?lang=``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cloud.deps import CtxDep, NowDep, SessionDep
from cloud.exceptions import ConflictError
from cloud.feedback import service as feedback
from cloud.sales.receipts import ReceiptView, find_receipt
from cloud.web.console import FormDep, language, render, text
from cloud.web.exceptions import PageNotFoundError
from cloud.web.i18n import pick_language

router = APIRouter()


def _receipt(session: SessionDep, ctx: CtxDep, token: str) -> ReceiptView:
    view = find_receipt(session, ctx.settings.secret_key.get_secret_value().encode(), token)
    if view is None:
        raise PageNotFoundError("no such receipt")
    return view


def _page(
    request: Request, session: SessionDep, view: ReceiptView, token: str, *, fb_error: bool
) -> HTMLResponse:
    asked = request.query_params.get("lang")
    lang = pick_language(None, asked) if asked else language(request)
    return render(
        request, "receipt.html", lang=lang, r=view, token=token,
        lang_asked=lang if asked else "", fb=feedback.for_receipt(session, view.sale.sale_id),
        fb_error=fb_error, status_code=422 if fb_error else 200,
    )  # fmt: skip


@router.get("/r/{token}", response_class=HTMLResponse)
def receipt_page(request: Request, token: str, session: SessionDep, ctx: CtxDep) -> HTMLResponse:
    return _page(request, session, _receipt(session, ctx, token), token, fb_error=False)


@router.post("/r/{token}/feedback", response_model=None)
def receipt_feedback(
    request: Request, token: str, session: SessionDep, ctx: CtxDep, form: FormDep, now: NowDep
) -> Response:
    """The shopper's rating (optional) and words; the sale's member, if any, is named."""
    view = _receipt(session, ctx, token)
    message = text(form, "message", 1000).strip()
    if not message:
        return _page(request, session, view, token, fb_error=True)
    raw = text(form, "rating", 1)
    rating = int(raw) if raw in ("1", "2", "3", "4", "5") else None
    try:
        feedback.submit(
            session, message=message, rating=rating, store_id=view.store.id,
            member_id=view.sale.member_id, sale_ref=view.sale.sale_id, source="receipt", now=now,
        )  # fmt: skip
    except ConflictError:
        session.rollback()  # sent twice: the first one stands, the page shows it
    else:
        session.commit()
    asked = request.query_params.get("lang")
    query = f"?lang={pick_language(None, asked)}" if asked else ""
    return RedirectResponse(f"/r/{token}{query}#feedback", status_code=303)
