"""What a scanned text means: a product (GTIN-14, weight, price, expiry), a payment code or nothing.

Pure: no I/O, no clock (``expired`` takes today's date). Parsing goes through biip, which
needs the AIM symbology identifier (``]E0``, ``]d2``…) to tell an EAN-13 from a GS1 message;
decoders give us a symbology name and :data:`AIM_BY_SYMBOLOGY` maps it back. Every GTIN is
normalised to 14 digits because each decoder reports UPC-A differently (12 or 13 digits).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from kiosk.scanner.config import Gs1Config

log = logging.getLogger(__name__)

MAX_TEXT = 4096
"""Longer texts are not barcodes we sell by; refusing them bounds parsing time."""

# Symbology names used across the scanner (decoder output, scan CLI JSON, ScannedCode).
AIM_BY_SYMBOLOGY: dict[str, str] = {
    "ean13": "]E0",
    "upca": "]E0",
    "upce": "]E0",
    "ean8": "]E4",
    "databar": "]e0",
    "databar_expanded": "]e0",
    "databar_limited": "]e0",
    "gs1_datamatrix": "]d2",
    "datamatrix": "]d1",
    "gs1_qrcode": "]Q3",
    "qrcode": "]Q1",
    "gs1_128": "]C1",
    "code128": "]C0",
}
SYMBOLOGY_BY_AIM: dict[str, str] = {
    "]E0": "ean13",
    "]E3": "ean13",
    "]E4": "ean8",
    "]e0": "databar",
    "]d1": "datamatrix",
    "]d2": "gs1_datamatrix",
    "]Q1": "qrcode",
    "]Q3": "gs1_qrcode",
    "]C0": "code128",
    "]C1": "gs1_128",
}
_ODOO_WEIGHT_PREFIX = "21"  # 21.....{NNDDD}: weight in kg, 3 decimals
_ODOO_PRICE_PREFIX = "23"  # 23.....{NNNDD}: price, 2 decimals

PaymentProvider = Literal["wechat", "alipay"]


@dataclass(frozen=True)
class ScannedCode:
    """One interpreted scan.

    ``gtin`` is the price-book lookup key, always 14 digits, or None when the text is not a
    product (payment code, URL, garbage). For a variable-measure label (in-store weighed or
    priced item, e.g. ``2112345012508``) it is the label with the variable part zeroed and both
    check digits recomputed, as price books store such items; ``label_gtin`` keeps the
    printed number. ``weight_kg``/``price`` come from the label (RCN rule or GS1 AI 310n/392n).
    """

    text: str
    symbology: str
    gtin: str | None
    weight_kg: Decimal | None = None
    price: Decimal | None = None
    expiry: date | None = None
    lot: str | None = None
    is_variable_measure: bool = False
    payment_code: str | None = None
    label_gtin: str | None = None
    count: int | None = None
    best_before: date | None = None
    serial: str | None = None
    payment_provider: PaymentProvider | None = None
    error: str | None = None


def expired(code: ScannedCode, today: date) -> bool:
    """True when the use-by/expiry date (AI 17) is before ``today``; on the day itself it sells."""
    return code.expiry is not None and code.expiry < today


def payment_provider(text: str) -> PaymentProvider | None:
    """WeChat Pay (10–15…) or Alipay (25–30…) for an 18-digit shopper payment code."""
    if len(text) != 18 or not text.isascii() or not text.isdigit():
        return None
    head = int(text[:2])
    if 10 <= head <= 15:
        return "wechat"
    if 25 <= head <= 30:
        return "alipay"
    return None


def interpret(text: str, symbology: str, config: Gs1Config) -> ScannedCode:
    """Interpret decoded ``text`` of ``symbology`` (a name above, or unknown); never raises."""
    try:
        return _interpret(text, symbology, config)
    except Exception as exc:  # biip or our own bug: a bad label must never stop the kiosk
        log.warning("cannot interpret %r (%s): %s", text[:64], symbology, exc)
        return ScannedCode(text=text, symbology=symbology, gtin=None, error=str(exc))


def _interpret(text: str, symbology: str, config: Gs1Config) -> ScannedCode:
    body = text.strip(" \t\r\n")
    if not body or len(body) > MAX_TEXT:
        return ScannedCode(text=text, symbology=symbology, gtin=None, error="empty or too long")
    aim: str | None = AIM_BY_SYMBOLOGY.get(symbology)
    if body.startswith("]") and len(body) >= 3:
        aim, body = body[:3], body[3:]
        symbology = SYMBOLOGY_BY_AIM.get(aim, symbology)
    provider = payment_provider(body) if config.payment_codes else None
    if provider is not None:
        return ScannedCode(
            text=text,
            symbology=symbology,
            gtin=None,
            payment_code=body,
            payment_provider=provider,
        )
    if symbology == "upce" and body.isascii() and body.isdigit() and len(body) <= 8:
        # 8 digits only: a 6- or 7-digit form carries no check digit to verify.
        expanded = _upce_to_upca(body) if len(body) == 8 else None
        if expanded is None:
            return ScannedCode(text=text, symbology=symbology, gtin=None, error="bad UPC-E")
        body = expanded  # as UPC-A: an 8-digit UPC-E under ]E0 would pass for a GTIN-8
    if aim is None and body.isascii() and body.isdigit() and len(body) in (8, 12, 13, 14):
        # A bare number (keyboard-wedge or serial scanner without AIM prefix) is a GTIN;
        # otherwise biip would also try it as a GS1 message ("400…" = AI 400).
        aim = "]E4" if len(body) == 8 else "]E0"
    if body[:4].lower() == "http":
        aim = None  # a GS1 Digital Link sits in a plain (non-FNC1) QR; biip spots the URI
    return _parse_with_biip(text, symbology, aim, body, config)


def _upce_to_upca(digits: str) -> str | None:
    """UPC-E (number system, six digits, check digit) as its 12-digit UPC-A, or None.

    Decoders report UPC-E unexpanded; read as a GTIN it would be a GTIN-8 of other digits
    (``01234565`` is UPC-A ``012345000065``, not ``00000001234565``): a wrong product. biip
    applies the GS1 zero-suppression rules and checks the number system and check digit.
    """
    from biip import ParseError
    from biip.upc import Upc

    try:
        return Upc.parse(digits).as_upc_a()
    except ParseError:
        return None


def _parse_with_biip(
    text: str, symbology: str, aim: str | None, body: str, config: Gs1Config
) -> ScannedCode:
    from biip import ParseConfig, parse

    region = None if config.rcn_region in (None, "odoo") else config.rcn_region
    result = parse(
        (aim or "") + body,
        config=ParseConfig(
            rcn_region=region,
            rcn_verify_variable_measure=config.verify_variable_measure,
            gs1_element_strings_verify_date=config.verify_dates,
        ),
    )
    if result.gtin is None:
        reason = (
            result.gtin_error
            or result.gs1_message_error
            or result.gs1_digital_link_uri_error
            or "not a product code"
        )
        return ScannedCode(text=text, symbology=symbology, gtin=None, error=reason)
    label = result.gtin.as_gtin_14()
    info = _Info()
    key = label
    weight = getattr(result.gtin, "weight", None)
    price = getattr(result.gtin, "price", None)
    count = getattr(result.gtin, "count", None)
    if weight is not None or price is not None or count is not None:
        key = result.gtin.without_variable_measure().as_gtin_14()
        info.weight_kg, info.price, info.count, info.variable = weight, price, count, True
    elif config.rcn_region == "odoo":
        key = _odoo_rule(label, info)
    elements = None
    if result.gs1_message is not None:
        elements = result.gs1_message.element_strings
    elif result.gs1_digital_link_uri is not None:
        elements = result.gs1_digital_link_uri.element_strings
    if elements is not None:
        _from_element_strings(elements, info)
        info.variable = info.variable or label.startswith("9")  # indicator 9: variable measure
    return ScannedCode(
        text=text,
        symbology=symbology,
        gtin=key,
        weight_kg=info.weight_kg,
        price=info.price,
        expiry=info.expiry,
        lot=info.lot,
        is_variable_measure=info.variable,
        label_gtin=label,
        count=info.count,
        best_before=info.best_before,
        serial=info.serial,
    )


@dataclass
class _Info:
    """What a label says besides its GTIN, filled in by the rules below."""

    weight_kg: Decimal | None = None
    price: Decimal | None = None
    count: int | None = None
    expiry: date | None = None
    best_before: date | None = None
    lot: str | None = None
    serial: str | None = None
    variable: bool = False


def _odoo_rule(gtin14: str, info: _Info) -> str:
    """Odoo's default nomenclature: ``21.....{NNDDD}`` weight, ``23.....{NNNDD}`` price.

    Returns the lookup key (variable part zeroed, check digit recomputed), as Odoo does.
    """
    from biip.checksums import gs1_standard_check_digit

    gtin13 = gtin14[1:]
    if gtin14[0] != "0" or gtin13[:2] not in (_ODOO_WEIGHT_PREFIX, _ODOO_PRICE_PREFIX):
        return gtin14
    value = Decimal(gtin13[7:12])
    payload = gtin13[:7] + "00000"
    info.variable = True
    if gtin13[:2] == _ODOO_WEIGHT_PREFIX:
        info.weight_kg = value / 1000
    else:
        info.price = value / 100
    return "0" + payload + str(gs1_standard_check_digit(payload))


def _from_element_strings(elements: Iterable[Any], info: _Info) -> None:
    """Expiry (17), best before (15), lot (10), serial (21), net kg (310n), price (392n)."""
    for element in elements:
        ai: str = element.ai.ai
        if ai == "17":
            info.expiry = element.date
        elif ai == "15":
            info.best_before = element.date
        elif ai == "10":
            info.lot = element.value
        elif ai == "21":
            info.serial = element.value
        elif ai.startswith("310") and element.decimal is not None:
            info.weight_kg = element.decimal
        elif ai.startswith("392") and element.decimal is not None:
            info.price = element.decimal
