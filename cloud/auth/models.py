"""Users, their store memberships, revocable tokens, reset tokens and the development mail outbox.

Tokens are opaque random strings; only their SHA-256 is stored, so a database leak does not
hand out live sessions and logout is a plain row update (docs/decisions/0030).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cloud.db.base import Base


class Role(StrEnum):
    """Who may do what (docs/SECURITY.md, "Authorization", shows the whole table).

    Admin is chain-wide. Head office (``hq``) owns the chain's catalogue (products, barcodes,
    base prices, categories), chain-wide promotions and the coupon limits, and sees and handles
    every store's online orders; it acts in no store otherwise. Managers, staff and cashiers
    act only in the stores they belong to. A cashier is a checkout (a kiosk's service user or a
    staffed till): member lookup by phone or card (masked), coupon checks and collecting an
    online order by pickup code, nothing else (docs/decisions/0034, 0210).
    """

    ADMIN = "admin"
    HQ = "hq"
    MANAGER = "manager"
    STAFF = "staff"
    CASHIER = "cashier"

    @property
    def chain_wide(self) -> bool:
        """Roles that need no store membership."""
        return self in (Role.ADMIN, Role.HQ)


class TokenKind(StrEnum):
    BEARER = "bearer"
    SESSION = "session"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Case-sensitive on both databases: PostgreSQL compares bytes, SQLite's default is BINARY.
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    password_changed_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime]

    memberships: Mapped[list[UserStore]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class UserStore(Base):
    """A user's membership of a store; the role applies in each member store."""

    __tablename__ = "user_stores"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    store_id: Mapped[int] = mapped_column(
        ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class AuthToken(Base):
    """A bearer token or a console session; revoked by logout, password change or reset."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class PasswordResetToken(Base):
    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class OutboxMail(Base):
    """Mail the development notifier 'sent': kept so developers and tests can read it."""

    __tablename__ = "outbox_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class Throttle(Base):
    """A failure or request counter over a window, for one (kind, username, address) key.

    ``username`` "" counts a whole address, ``address`` "" a username from everywhere
    (cloud/auth/lockout.py). Unknown usernames get rows like real ones, so throttling answers
    the same for both.
    """

    __tablename__ = "auth_throttle"
    __table_args__ = (UniqueConstraint("kind", "username", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime]
    blocked_until: Mapped[datetime | None] = mapped_column(default=None)


class KnownAddress(Base):
    """A client address a user has logged in from: its correct password passes an account lock."""

    __tablename__ = "login_known_addresses"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_login_at: Mapped[datetime]
