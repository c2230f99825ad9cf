"""Invoice bodies."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from contracts.messages import UtcDateTime
from contracts.money import Money


class InvoiceIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"sale_id": "S-1", "buyer_name": "上海某某有限公司", "tax_id": "91310000MA1FL0000X"}
            ]
        },
    )
    sale_id: str = Field(min_length=1, max_length=300, description="Sale number or receipt QR")
    buyer_name: str = Field(min_length=1, max_length=200)
    tax_id: str = Field(default="", pattern=r"^[0-9A-Za-z-]{0,40}$")
    email: str = Field(default="", max_length=200)


class ReceiptInvoiceIn(InvoiceIn):
    """From the receipt QR, without an account: the receipt's total is the proof."""

    total: str = Field(pattern=r"^\d{1,10}\.\d{2}$", description="Total printed on the receipt")


class InvoiceOut(BaseModel):
    invoice_no: str
    sale_id: str
    buyer_name: str
    tax_id: str
    amount: Money
    tax: Money
    source: str
    requested_at: UtcDateTime
    pdf_url: str
