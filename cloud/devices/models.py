"""Device registry; ``(store_id, node)`` is the identity used on MQTT topics."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base


class Device(Base):
    __tablename__ = "devices"
    __table_args__ = (UniqueConstraint("store_id", "node"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    node: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16), default="kiosk")
    name: Mapped[str] = mapped_column(String(200), default="")
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    boot: Mapped[int] = mapped_column(Integer, default=0)
    last_seen: Mapped[datetime | None] = mapped_column(default=None)
    state_changed_at: Mapped[datetime | None] = mapped_column(default=None)
    software_version: Mapped[str | None] = mapped_column(String(64), default=None)
    config_version: Mapped[str | None] = mapped_column(String(64), default=None)
    outbox_depth: Mapped[int | None] = mapped_column(Integer, default=None)
    registered_at: Mapped[datetime] = mapped_column(server_default=func.now())
