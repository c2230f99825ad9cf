"""User bodies are shared with /auth/me; defined once in cloud.auth.schemas."""

from __future__ import annotations

from cloud.auth.schemas import UserCreate, UserOut, UserUpdate

__all__ = ["UserCreate", "UserOut", "UserUpdate"]
