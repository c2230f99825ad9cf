"""One invoice per sale (UNIQUE sale_pk): a second request updates nothing and says so."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base


class Invoice(Base):
    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_no: Mapped[str] = mapped_column(String(40), unique=True)
    sale_pk: Mapped[int] = mapped_column(ForeignKey("sales.id", ondelete="CASCADE"), unique=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    buyer_name: Mapped[str] = mapped_column(String(200))
    tax_id: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    amount: Mapped[Decimal]
    tax: Mapped[Decimal]
    source: Mapped[str] = mapped_column(String(16), doc="kiosk, receipt or console")
    requested_at: Mapped[datetime] = mapped_column(index=True)
