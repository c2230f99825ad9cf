"""What is sent to the supplier: the order as CSV, as PDF (fpdf2, the invoices' fonts) and
as the mail's text. Pure: the service builds the :class:`OrderDoc`."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from cloud.invoices.pdf import find_cjk_font, find_latin_font

CSV_COLUMNS = (
    "po_number",
    "line",
    "supplier_item_code",
    "sku",
    "barcode",
    "name",
    "qty",
    "pack_size",
    "packs",
    "unit_cost",
    "amount",
)


@dataclass(frozen=True, slots=True)
class DocLine:
    line_no: int
    supplier_sku: str
    sku: str
    gtin: str
    name: str
    qty: Decimal
    pack_size: int
    unit_cost: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class OrderDoc:
    number: str
    store: str
    store_name: str
    supplier: str
    supplier_name: str
    ordered_on: str
    expected_on: str
    lines: Sequence[DocLine]
    total: Decimal


def _n(value: Decimal) -> str:
    return format(value.normalize(), "f")


def to_csv(doc: OrderDoc) -> str:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(CSV_COLUMNS)
    for ln in doc.lines:
        packs = (ln.qty / ln.pack_size).normalize()
        out.writerow(
            [
                doc.number,
                ln.line_no,
                ln.supplier_sku,
                ln.sku,
                ln.gtin,
                ln.name,
                _n(ln.qty),
                ln.pack_size,
                format(packs, "f"),
                _n(ln.unit_cost),
                format(ln.amount, "f"),
            ]
        )
    return buf.getvalue()


def mail_text(doc: OrderDoc) -> str:
    head = [
        f"Purchase order {doc.number} / 采购订单 {doc.number}",
        f"From {doc.store_name} ({doc.store}), ordered {doc.ordered_on}, "
        f"expected {doc.expected_on}.",
        f"Total {doc.total}. The lines, as CSV:",
        "",
    ]
    return "\n".join(head) + to_csv(doc)


def to_pdf(doc: OrderDoc) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(f"Purchase order {doc.number}")
    pdf.set_creator("smartstore")
    pdf.add_page()
    cjk, latin = find_cjk_font(), find_latin_font()
    if cjk is not None and latin is not None:
        pdf.add_font("latin", "", latin)
        pdf.add_font("cjk", "", cjk)
        pdf.set_font("latin", size=10)
        pdf.set_fallback_fonts(["cjk"])
    elif cjk is not None:
        pdf.add_font("cjk", "", cjk)
        pdf.set_font("cjk", size=10)
    else:
        pdf.set_font("helvetica", size=10)

    def t(value: str) -> str:
        return value if cjk else value.encode("latin-1", "replace").decode("latin-1")

    pdf.set_font_size(16)
    pdf.cell(0, 10, t(f"Purchase order 采购订单 {doc.number}"), new_x="LMARGIN", new_y="NEXT")
    # The number as Code 39, for the receiving page's scanner (goods in: scan the order).
    pdf.code39(f"*{doc.number}*", x=pdf.l_margin, y=pdf.get_y(), w=0.8, h=12)
    pdf.set_y(pdf.get_y() + 15)
    pdf.set_font_size(10)
    for label, value in (
        ("Buyer / 采购方", f"{doc.store_name} ({doc.store})"),
        ("Supplier / 供应商", f"{doc.supplier_name} ({doc.supplier})"),
        ("Ordered / 下单日期", doc.ordered_on),
        ("Expected / 预计到货", doc.expected_on),
    ):
        pdf.cell(45, 6, t(label))
        pdf.cell(0, 6, t(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    widths = (25, 30, 60, 18, 15, 20, 22)
    heads = ("Item code", "Barcode", "Name / 品名", "Qty", "Pack", "Unit", "Amount")
    for w, head in zip(widths, heads, strict=True):
        pdf.cell(w, 7, t(head), border=1)
    pdf.ln()
    for ln in doc.lines:
        cells = (
            ln.supplier_sku or ln.sku,
            ln.gtin,
            ln.name[:30],
            _n(ln.qty),
            str(ln.pack_size),
            _n(ln.unit_cost),
            format(ln.amount, "f"),
        )
        for w, cell in zip(widths, cells, strict=True):
            pdf.cell(w, 6, t(cell), border=1)
        pdf.ln()
    pdf.ln(2)
    pdf.cell(0, 7, t(f"Total / 合计: {doc.total}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
