"""Kiosk node configuration: devices chosen by ``type:``, attendants, UI, checkout rules.

Loaded with :func:`edge.config.load_config`; a bad value fails with the field's path
(``smartstore kiosk run --config F --validate-config``). PINs are stored as argon2 hashes
only (``smartstore kiosk hash-pin``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator

from contracts.receipts import make_token, receipt_url
from edge.config import NodeConfig, Strict
from edge.exceptions import ConfigError
from kiosk.cloud_api.config import CloudApiConfig, NoCloudApiConfig
from kiosk.payment.cash import FakeCashConfig
from kiosk.payment.config import CashConfig, PaymentConfig
from kiosk.payment.remote import Secret
from kiosk.payment.simulator import SimulatorPaymentConfig
from kiosk.printer.config import DummyPrinterConfig, PrinterConfig
from kiosk.scale.config import NoScaleConfig, ScaleConfig, StabilityConfig
from kiosk.scanner.config import Gs1Config, NoScannerConfig, ScannerConfig


class Attendant(Strict):
    id: str = Field(min_length=1, max_length=64, description="Staff id shown in events")
    pin_hash: str | None = Field(
        default=None, description="argon2 hash of the PIN (smartstore kiosk hash-pin)"
    )
    badge: str | None = Field(default=None, description="Badge barcode/RFID value")

    @field_validator("pin_hash")
    @classmethod
    def _argon2(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("$argon2"):
            raise ValueError("must be an argon2 hash, not a plain PIN")
        return value


class UiConfig(Strict):
    host: str = Field(default="127.0.0.1", description="Bind address of the touchscreen page")
    port: int = Field(default=8700, ge=0, le=65535, description="Port; 0 picks a free one")
    language: Literal["en", "zh-Hans"] = Field(default="en", description="Start-up language")
    done_timeout_s: float = Field(
        default=8.0, gt=0, description="Goodbye screen returns to the welcome screen after this"
    )


class CheckoutConfig(Strict):
    max_failures: int = Field(default=3, ge=1, le=20, description="Failures → intervention")
    member_card_prefix: str = Field(
        default="MC", description="Scanned codes with this prefix are member cards"
    )
    store_name: str = Field(default="smartstore", description="Shown on screen and receipt")


class ReceiptsConfig(Strict):
    """The e-receipt link printed as the receipt QR: ``{public_url}/r/{token}``, served by the
    cloud. Unset: the QR holds the sale number only (the return desk still reads it)."""

    public_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^\s/]+(/[^\s]*)?$",
        description="The cloud's public base URL (its public_url setting)",
    )
    key: Secret | None = Field(
        default=None,
        description="This store's receipt key, hex (`smartstore cloud receipt-key STORE`)",
    )

    def link(self, store: str) -> Callable[[str], str] | None:
        """sale id → e-receipt URL, or None when not configured."""
        if self.public_url is None or self.key is None:
            return None
        try:
            key = bytes.fromhex(self.key.read("receipts.key"))
        except ValueError as exc:
            raise ConfigError("receipts.key: not hex") from exc
        url = self.public_url
        return lambda sale_id: receipt_url(url, make_token(key, store, sale_id))


class PricebookConfig(Strict):
    seed_path: Path | None = Field(
        default=None, description="Price book file (JSON or wire form) used until one arrives"
    )


class KioskConfig(NodeConfig):
    """A self-checkout kiosk node."""

    scanner: ScannerConfig = Field(
        default_factory=lambda: NoScannerConfig(type="none"), description="Barcode scanner"
    )
    gs1: Gs1Config = Field(default_factory=Gs1Config, description="GS1 decoding rules")
    printer: PrinterConfig = Field(
        default_factory=lambda: DummyPrinterConfig(type="dummy"), description="Receipt printer"
    )
    scale: ScaleConfig = Field(
        default_factory=lambda: NoScaleConfig(type="none"), description="Bagging-area scale"
    )
    stability: StabilityConfig = Field(
        default_factory=StabilityConfig, description="Scale stability detection"
    )
    payment: PaymentConfig = Field(
        default_factory=lambda: SimulatorPaymentConfig(type="simulator"),
        validation_alias=AliasChoices("payment", "terminal"),
        description="Card and mobile payment adapter (``terminal:``, its old name, still reads)",
    )
    cash: CashConfig = Field(
        default_factory=lambda: FakeCashConfig(type="fake"), description="Cash acceptor"
    )
    attendants: list[Attendant] = Field(
        default_factory=list, description="Staff allowed to clear interventions"
    )
    ui: UiConfig = Field(default_factory=UiConfig, description="Touchscreen web page")
    receipts: ReceiptsConfig = Field(
        default_factory=ReceiptsConfig, description="E-receipt link on the receipt QR"
    )
    checkout: CheckoutConfig = Field(default_factory=CheckoutConfig, description="Rules")
    pricebook: PricebookConfig = Field(
        default_factory=PricebookConfig, description="Initial price book"
    )
    cloud_api: CloudApiConfig = Field(
        default_factory=lambda: NoCloudApiConfig(type="none"),
        description="Cloud REST API for member balances and coupon checks",
    )
