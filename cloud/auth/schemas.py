"""Request and response bodies of /auth and /users."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from cloud.auth.models import Role
from contracts.messages import UtcDateTime

Username = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")
]
Password = Annotated[str, StringConstraints(min_length=8, max_length=128)]
StoreCode = Annotated[
    str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TokenOut(BaseModel):
    access_token: str = Field(description="Opaque bearer token; send as Authorization: Bearer …")
    token_type: str = Field(default="bearer", examples=["bearer"])
    expires_in: int = Field(description="Seconds until it expires", examples=[1800])


class SessionOut(BaseModel):
    csrf_token: str = Field(description="Send in X-CSRF-Token on every unsafe request")
    expires_at: UtcDateTime
    user: UserOut


class CsrfOut(BaseModel):
    csrf_token: str


class UserOut(BaseModel):
    id: int
    username: str = Field(examples=["manager"])
    full_name: str = ""
    email: str = ""
    role: Role
    stores: list[str] = Field(description="Store codes the user acts in; admins act everywhere")
    active: bool
    locked_until: UtcDateTime | None = None
    created_at: UtcDateTime


class UserCreate(_In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "username": "li.na",
                    "password": "correct horse battery",
                    "role": "staff",
                    "stores": ["demo"],
                    "email": "li.na@example.com",
                }
            ]
        },
    )

    username: Username
    password: Password
    role: Role
    stores: list[StoreCode] = Field(default_factory=list, max_length=100)
    email: str = Field(default="", max_length=200)
    full_name: str = Field(default="", max_length=200)


class UserUpdate(_In):
    role: Role | None = None
    stores: list[StoreCode] | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=200)
    full_name: str | None = Field(default=None, max_length=200)
    active: bool | None = None
    password: Password | None = Field(default=None, description="Set a new password (admin)")


class PasswordChange(_In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"current": "old password", "new": "new long password"}]},
    )

    current: str = Field(max_length=128)
    new: Password


class ResetRequest(_In):
    username: Username


class ResetConfirm(_In):
    token: str = Field(min_length=1, max_length=200)
    new_password: Password


SessionOut.model_rebuild()
