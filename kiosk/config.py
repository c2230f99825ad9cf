"""Kiosk node configuration: devices chosen by ``type:``, attendants, UI, checkout rules.

Loaded with :func:`edge.config.load_config`; a bad value fails with the field's path
(``smartstore kiosk run --config F --validate-config``). PINs are stored as argon2 hashes
only (``smartstore kiosk hash-pin``).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator

from edge.config import NodeConfig, Strict
from kiosk.printer.config import DummyPrinterConfig, PrinterConfig
from kiosk.scanner.config import Gs1Config, NoScannerConfig, ScannerConfig

DEFAULT_CASH = {
    "100": 10,
    "50": 10,
    "20": 20,
    "10": 20,
    "5": 20,
    "1": 50,
    "0.5": 50,
    "0.1": 50,
}


class FakeScaleConfig(Strict):
    type: Literal["fake"] = Field(description="Discriminator: simulated load cell")
    noise_g: float = Field(default=0.5, ge=0, le=50, description="White noise, grams (1 σ)")
    sample_s: float = Field(default=0.02, gt=0, le=1, description="Seconds between samples")
    auto_bag: bool = Field(
        default=False, description="Demo shopper: place each scanned item's weight automatically"
    )


class SerialScaleConfig(Strict):
    type: Literal["serial"] = Field(description="Discriminator: bench scale on a serial line")
    port: str = Field(description="Device or pyserial URL, e.g. /dev/ttyUSB0")
    baudrate: int = Field(default=9600, gt=0, description="Line speed")


class NoScaleConfig(Strict):
    type: Literal["none"] = Field(description="Discriminator: no bagging scale, no weight check")


ScaleConfig = Annotated[
    FakeScaleConfig | SerialScaleConfig | NoScaleConfig, Field(discriminator="type")
]


class StabilityConfig(Strict):
    window: int = Field(default=5, ge=2, le=100, description="Samples that must agree")
    spread_g: Decimal = Field(default=Decimal(3), gt=0, description="Allowed spread, grams")
    noise_g: Decimal = Field(
        default=Decimal(5), ge=0, description="Weight changes below this are ignored"
    )


class SimulatorTerminalConfig(Strict):
    type: Literal["simulator"] = Field(description="Discriminator: terminal simulator")
    state_path: Path = Field(
        default=Path("var/terminal.sqlite3"),
        description="File holding the simulator's charges; survives a kiosk crash",
    )
    latency_s: float = Field(default=0.2, ge=0, le=120, description="Simulated host latency")
    default_outcome: Literal["approve", "decline", "timeout", "late"] = Field(
        default="approve", description="Answer when no scripted outcome is queued"
    )
    qr_auto_pay_s: float | None = Field(
        default=None, ge=0, description="Demo: the shopper 'pays' a shown QR after this long"
    )


class NoTerminalConfig(Strict):
    type: Literal["none"] = Field(description="Discriminator: cash only")


TerminalConfig = Annotated[SimulatorTerminalConfig | NoTerminalConfig, Field(discriminator="type")]


class FakeCashConfig(Strict):
    type: Literal["fake"] = Field(description="Discriminator: simulated note/coin recycler")
    stock: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_CASH),
        description="Denomination → pieces held for change at start",
    )
    jam_on_dispense: bool = Field(default=False, description="Simulate a change jam")

    @field_validator("stock")
    @classmethod
    def _denominations(cls, value: dict[str, int]) -> dict[str, int]:
        for key, count in value.items():
            if Decimal(key) <= 0 or count < 0:
                raise ValueError(f"bad denomination {key}: {count}")
        return value


class NoCashConfig(Strict):
    type: Literal["none"] = Field(description="Discriminator: no cash acceptor")


CashConfig = Annotated[FakeCashConfig | NoCashConfig, Field(discriminator="type")]


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


class PricebookConfig(Strict):
    seed_path: Path | None = Field(
        default=None, description="Price book file (JSON or wire form) used until one arrives"
    )


class HttpCloudApiConfig(Strict):
    """The cloud REST API, for online member balances and coupon checks (kiosk.members).

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

    def secret(self) -> str:
        if self.password is not None:
            return self.password.get_secret_value()
        if self.password_file is not None:
            return self.password_file.read_text(encoding="utf-8").strip()
        return ""


class NoCloudApiConfig(Strict):
    type: Literal["none"] = Field(description="Discriminator: always offline rules")


CloudApiConfig = Annotated[HttpCloudApiConfig | NoCloudApiConfig, Field(discriminator="type")]


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
    terminal: TerminalConfig = Field(
        default_factory=lambda: SimulatorTerminalConfig(type="simulator"),
        description="Card/mobile payment terminal",
    )
    cash: CashConfig = Field(
        default_factory=lambda: FakeCashConfig(type="fake"), description="Cash acceptor"
    )
    attendants: list[Attendant] = Field(
        default_factory=list, description="Staff allowed to clear interventions"
    )
    ui: UiConfig = Field(default_factory=UiConfig, description="Touchscreen web page")
    checkout: CheckoutConfig = Field(default_factory=CheckoutConfig, description="Rules")
    pricebook: PricebookConfig = Field(
        default_factory=PricebookConfig, description="Initial price book"
    )
    cloud_api: CloudApiConfig = Field(
        default_factory=lambda: NoCloudApiConfig(type="none"),
        description="Cloud REST API for member balances and coupon checks",
    )
