"""Look-ups in the price book: GTIN, PLU and name search for manual entry."""

from __future__ import annotations

from contracts.pricebook import PriceBook, Product


def normalise_gtin(code: str) -> str | None:
    """Digits-only codes of 8, 12, 13 or 14 digits become GTIN-14; anything else ``None``."""
    text = code.strip()
    if not text.isdigit() or len(text) not in (8, 12, 13, 14):
        return None
    return text.zfill(14)


class Catalog:
    """Index of the active products of one price book version."""

    def __init__(self, book: PriceBook) -> None:
        self.book = book
        self._by_gtin: dict[str, Product] = {}
        self._by_plu: dict[str, Product] = {}
        self._by_sku: dict[str, Product] = {}
        for product in book.products:
            if not product.active:
                continue
            self._by_sku[product.sku] = product
            for gtin in product.gtins:
                self._by_gtin[gtin] = product
            if product.plu:
                self._by_plu[product.plu] = product

    def by_gtin(self, gtin: str) -> Product | None:
        return self._by_gtin.get(gtin)

    def by_sku(self, sku: str) -> Product | None:
        return self._by_sku.get(sku)

    def by_plu(self, plu: str) -> Product | None:
        return self._by_plu.get(plu.strip())

    def lookup(self, code: str) -> Product | None:
        """A typed code: a barcode (any GTIN length), else a PLU, else a SKU."""
        gtin = normalise_gtin(code)
        if gtin is not None and gtin in self._by_gtin:
            return self._by_gtin[gtin]
        return self.by_plu(code) or self.by_sku(code.strip())

    def search(self, query: str, limit: int = 12) -> list[Product]:
        """Case-insensitive substring search over English and Chinese names, PLUs first."""
        q = query.strip().casefold()
        if not q:
            return []
        exact = self.by_plu(q)
        found: list[Product] = [exact] if exact else []
        for product in self._by_sku.values():
            if product in found:
                continue
            names = (product.name.casefold(), (product.name_zh or "").casefold())
            if any(q in name for name in names):
                found.append(product)
            if len(found) >= limit:
                break
        return found
