"""A 4,000-line stocktake through the API handler against the per-line path it replaced.

    .venv/bin/python -m bench.stocktake [--lines 4000] [--database-url URL]

Both run on their own copy of the demo data (SQLite by default, or the PostgreSQL database
given, reset between runs). Baseline: per line, the product by SKU, its on-hand sum, one
flush (what ``POST /inventory/{store}/stocktake`` did before; the console page still counts
one product at a time). Target (issue 16): well under the 15.6 s that was measured.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from cloud.api import inventory
from cloud.auth.models import Role
from cloud.auth.service import Principal
from cloud.db.models import load_models
from cloud.db.session import make_engine, make_sessionmaker
from cloud.inventory import service
from cloud.inventory.schemas import StocktakeIn
from cloud.products.models import Product
from cloud.seed.service import seed
from cloud.stores.models import Store


def _seeded(path: Path) -> str:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    load_models().create_all(engine)
    with make_sessionmaker(engine)() as session, session.begin():
        seed(session, password="bench-password-1", now=datetime.now(UTC))
    engine.dispose()
    return url


def _counts(url: str, lines: int) -> list[tuple[str, Decimal]]:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        skus = list(session.scalars(select(Product.sku).order_by(Product.sku)))
    engine.dispose()
    return [(skus[i % len(skus)], Decimal(i % 40)) for i in range(lines)]


def per_line(url: str, counts: list[tuple[str, Decimal]]) -> float:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        store = session.scalars(select(Store.id).where(Store.code == "demo")).one()
        start = time.perf_counter()
        for sku, counted in counts:
            product = session.scalars(select(Product).where(Product.sku == sku)).one()
            service.stocktake(
                session, store_id=store, product_id=product.id, counted=counted,
                now=datetime.now(UTC), reason="stocktake",
            )  # fmt: skip
        session.commit()
        elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed


def batched(url: str, counts: list[tuple[str, Decimal]]) -> float:
    body = StocktakeIn.model_validate(
        {"counts": [{"sku": s, "counted": c, "reason": "miscount"} for s, c in counts]}
    )
    user = Principal(user_id=1, username="admin", role=Role.ADMIN)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        start = time.perf_counter()
        inventory.stocktake("demo", body, user, session, datetime.now(UTC))
        elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=4000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.sqlite3"
        url = _seeded(base)
        counts = _counts(url, args.lines)
        shutil.copy(base, Path(tmp) / "old.sqlite3")
        shutil.copy(base, Path(tmp) / "new.sqlite3")
        old = per_line(f"sqlite:///{Path(tmp) / 'old.sqlite3'}", counts)
        new = batched(f"sqlite:///{Path(tmp) / 'new.sqlite3'}", counts)
    print(f"stocktake of {args.lines} lines: per-line {old:.2f} s, batched {new:.2f} s")
    result = {
        "target": f"stocktake of {args.lines} lines via the API handler ≪ 15.6 s (issue 16)",
        "measured": f"{new:.2f} s",
        "baseline": f"per-line {old:.2f} s",
        "ratio": f"{old / new:.1f}× faster",
    }
    print("BENCH-RESULT " + json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
