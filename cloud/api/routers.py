"""The routers of the member programme, marketing, returns and invoices, in the order they
must be registered (one line in ``cloud.main.api_router``)."""

from __future__ import annotations

from fastapi import APIRouter


def programme_routers() -> list[APIRouter]:
    from cloud.api.invoices import router as invoices
    from cloud.api.marketing import router as marketing
    from cloud.api.programme import coupons_router
    from cloud.api.programme import router as programme
    from cloud.api.returns import router as returns

    return [programme, coupons_router, marketing, returns, invoices]
