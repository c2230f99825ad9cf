"""Store rows; ``code`` is the id used in MQTT topics and the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base


class Store(Base):
    __tablename__ = "stores"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(200), default="")
    hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    tax_inclusive: Mapped[bool] = mapped_column(Boolean, default=True)
    payment_methods: Mapped[list[str]] = mapped_column(JSON, default=list)
    pricebook_version: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    negative_stock: Mapped[str] = mapped_column(
        String(8), default="flag", server_default="flag", doc="flag or refuse (see inventory)"
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
