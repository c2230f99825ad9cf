"""``cloud_api:`` of the kiosk config: how the kiosk reaches the cloud for member balances
and coupon checks, built into a :class:`~kiosk.cloud_api.lookup.MemberLookup` by its variant."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr

from edge.config import Strict
from kiosk.cloud_api.lookup import HttpLookup, MemberLookup, OfflineLookup


class HttpCloudApiConfig(Strict):
    """The cloud REST API, for online member balances and coupon checks (kiosk.shell.members).

    The kiosk signs in as a cashier-role service user of its store (one per kiosk, created
    with ``smartstore cloud create-user --role cashier``): revocable like any user, scoped to
    the store, and needing no new credential type in the cloud.
    """

    type: Literal["http"] = Field(description="Discriminator: call the cloud over HTTP(S)")
    url: str = Field(
        pattern=r"^https?://", description="API base, e.g. https://cloud.example/api/v1"
    )
    username: str = Field(min_length=1, max_length=64, description="Cashier service user")
    password: SecretStr | None = Field(default=None, description="Its password (or a file)")
    password_file: Path | None = Field(default=None, description="File holding the password")
    timeout_s: float = Field(
        default=1.5, gt=0, le=30, description="Per request; beyond it the kiosk works offline"
    )

    def build(self) -> MemberLookup:
        return HttpLookup(self)

    def secret(self) -> str:
        if self.password is not None:
            return self.password.get_secret_value()
        if self.password_file is not None:
            return self.password_file.read_text(encoding="utf-8").strip()
        return ""


class NoCloudApiConfig(Strict):
    type: Literal["none"] = Field(description="Discriminator: always offline rules")

    def build(self) -> MemberLookup:
        return OfflineLookup()


CloudApiConfig = Annotated[HttpCloudApiConfig | NoCloudApiConfig, Field(discriminator="type")]
