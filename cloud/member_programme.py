"""The routers of the member programme, marketing, returns and invoices, in the order they
must be registered (one line in ``cloud.main.api_router``)."""

from __future__ import annotations

from fastapi import APIRouter


def programme_routers() -> list[APIRouter]:
    from cloud.invoices.router import router as invoices
    from cloud.marketing.router import router as marketing
    from cloud.members.programme_router import coupons_router
    from cloud.members.programme_router import router as programme
    from cloud.returns.router import router as returns

    return [programme, coupons_router, marketing, returns, invoices]
