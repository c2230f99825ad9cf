"""Invoice PDF with fpdf2 (pure Python, on PyPI) and a CJK font found on the system.

Why fpdf2: no native dependencies and TrueType subsetting, so a Chinese buyer name embeds
only the glyphs it uses. The font is looked up with ``fc-list :lang=zh`` (or given in
settings); without one, Latin text still renders with a core font and other text is
replaced by ``?`` rather than failing the request.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)
FALLBACK_FONTS = (
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    name: str
    qty: Decimal
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class InvoiceDoc:
    invoice_no: str
    issued: str
    seller: str
    buyer_name: str
    tax_id: str
    sale_id: str
    currency: str
    lines: Sequence[InvoiceLine]
    total: Decimal
    tax: Decimal


@lru_cache(maxsize=1)
def find_cjk_font() -> str | None:
    """A TrueType font with Chinese glyphs: fc-list first, then well-known paths."""
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(
                ["fc-list", ":lang=zh", "file"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            ).stdout
        except (OSError, subprocess.SubprocessError) as exc:
            log.debug("fc-list failed: %s", exc)
            out = ""
        for line in out.splitlines():
            path = line.split(":")[0].strip()
            if path.endswith((".ttf", ".otf")) and Path(path).is_file():
                return path
    return next((p for p in FALLBACK_FONTS if p.endswith(".ttf") and Path(p).is_file()), None)


@lru_cache(maxsize=1)
def find_latin_font() -> str | None:
    """A Latin TrueType font: CJK fallback fonts often lack Latin glyphs."""
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(
                ["fc-list", ":lang=en:style=Book", "file"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        for line in sorted(out.splitlines()):
            path = line.split(":")[0].strip()
            if path.endswith(".ttf") and Path(path).is_file():
                return path
    return None


def render(doc: InvoiceDoc, font_path: str | None = None) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(f"Invoice {doc.invoice_no}")
    pdf.set_creator("smartstore")
    pdf.add_page()
    path = font_path or find_cjk_font()
    unicode_ok = path is not None
    latin = find_latin_font()
    if path is not None and latin is not None:
        pdf.add_font("latin", "", latin)  # fallback fonts (CJK) only fill missing glyphs
        pdf.add_font("cjk", "", path)
        pdf.set_font("latin", size=11)
        pdf.set_fallback_fonts(["cjk"])
    elif path is not None:
        pdf.add_font("cjk", "", path)
        pdf.set_font("cjk", size=11)
    else:
        pdf.set_font("helvetica", size=11)

    def t(value: str) -> str:
        return value if unicode_ok else value.encode("latin-1", "replace").decode("latin-1")

    pdf.set_font_size(18)
    pdf.cell(0, 10, t("Invoice 发票"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(11)
    for label, value in (
        ("Invoice no / 发票号码", doc.invoice_no),
        ("Issued / 开票日期", doc.issued),
        ("Seller / 销售方", doc.seller),
        ("Buyer / 购买方", doc.buyer_name),
        ("Tax ID / 纳税人识别号", doc.tax_id or "-"),
        ("Sale / 交易号", doc.sale_id),
    ):
        pdf.cell(60, 7, t(label))
        pdf.cell(0, 7, t(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = (90, 20, 35, 35)
    for w, head in zip(widths, ("Item / 品名", "Qty", "Unit", "Amount"), strict=True):
        pdf.cell(w, 8, t(head), border=1)
    pdf.ln()
    for ln in doc.lines:
        for w, cell in zip(
            widths,
            (
                ln.name[:40],
                format(ln.qty.normalize(), "f"),
                format(ln.unit_price, "f"),
                format(ln.amount, "f"),
            ),
            strict=True,
        ):
            pdf.cell(w, 7, t(cell), border=1)
        pdf.ln()
    pdf.ln(3)
    pdf.cell(0, 7, t(f"Tax / 税额: {doc.currency} {doc.tax}"), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(
        0, 7, t(f"Total / 价税合计: {doc.currency} {doc.total}"), new_x="LMARGIN", new_y="NEXT"
    )
    return bytes(pdf.output())
